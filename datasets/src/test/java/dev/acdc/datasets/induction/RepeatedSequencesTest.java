package dev.acdc.datasets.induction;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class RepeatedSequencesTest {

    private final RepeatedSequences data = new RepeatedSequences(64, 24, 3, 12);

    @Test
    void everyTokenIsDistinctExceptTheRepeatedSegment() {
        for (RepeatedSequence s : data.draw(new Random(3), 500)) {
            int[] t = s.tokens();
            Set<Integer> seen = new HashSet<>();
            for (int p = 0; p < t.length; p++) {
                boolean inRepeat = p >= s.secondStart() && p < s.secondStart() + s.segmentLength();
                if (inRepeat) {
                    assertEquals(t[s.firstStart() + p - s.secondStart()], t[p], s.toString());
                } else {
                    assertTrue(seen.add(t[p]), "token " + t[p] + " repeats outside the segment in " + s);
                }
                assertTrue(t[p] >= 0 && t[p] < 64);
            }
            assertTrue(s.segmentLength() >= 3 && s.segmentLength() <= 12, s.toString());
        }
    }

    @Test
    void predictablePositionsAreExactlyThoseWhoseNextTokenFollowedAnEarlierOccurrenceOfTheirToken() {
        for (RepeatedSequence s : data.draw(new Random(4), 200)) {
            int[] t = s.tokens();
            for (int p = 0; p + 1 < t.length; p++) {
                // independent definition: token[p] occurred at q < p and token[q+1] == token[p+1]
                boolean byInduction = false;
                for (int q = 0; q < p; q++) byInduction |= t[q] == t[p] && t[q + 1] == t[p + 1];
                assertEquals(byInduction, s.predictable(p), "position " + p + " of " + s);
            }
        }
    }

    @Test
    void sameSeedSameSequencesAndOtherSeedOthers() {
        List<RepeatedSequence> a = data.draw(new Random(7), 20);
        assertEquals(a, data.draw(new Random(7), 20));
        assertNotEquals(a, data.draw(new Random(8), 20));
    }

    @Test
    void shapesThatCannotHoldTwoSegmentsOrDistinctTokensAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new RepeatedSequences(64, 10, 3, 6));
        assertThrows(IllegalArgumentException.class, () -> new RepeatedSequences(10, 24, 3, 8));
        assertThrows(IllegalArgumentException.class, () -> new RepeatedSequences(64, 24, 1, 8));
    }
}
