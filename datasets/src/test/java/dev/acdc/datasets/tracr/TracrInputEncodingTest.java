package dev.acdc.datasets.tracr;

import dev.acdc.tracr.compiler.InputEncoder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TracrInputEncodingTest {

    @Test
    void lettersSortAfterTracrsBosAndPadSoTheirIdsDifferFromOurs() {
        TracrInputEncoding t = TracrInputEncoding.of(List.of("z", "x", "w", "y"));
        assertEquals(List.of("BOS", "compiler_pad", "w", "x", "y", "z"), t.tokens());
        InputEncoder ours = new InputEncoder(List.of("w", "x", "y", "z"), 5);
        // the ACDC code's ord(c) - ord("w"): w, x, y, z → 0..3, read by tracr as BOS, PAD, w, x
        assertArrayEquals(new int[] {ours.bosId(), ours.padId(), ours.tokenId("w"), ours.tokenId("x")},
                t.toOurs(new int[] {0, 1, 2, 3}, ours));
        assertEquals(3, t.id("x"), "output 0 holds the proportion of x (== 3), as the ACDC code's comment says");
    }

    @Test
    void integersSortBeforeBosAsTracrComparesTheirLabelsSoTheIdsAreOurs() {
        TracrInputEncoding t = TracrInputEncoding.of(List.of(3, 1, 2));
        assertEquals(List.of(1, 2, 3, "BOS", "compiler_pad"), t.tokens());
        InputEncoder ours = new InputEncoder(List.of(1, 2, 3), 5);
        for (int id = 0; id < t.size(); id++) assertEquals(id, t.toOurs(id, ours), "the ACDC code's [BOS, 1, 2, 3] is [3, 0, 1, 2]");
    }

    @Test
    void aVocabularyWhoseTracrOrderIsInconsistentIsRefused() {
        // 2 < 10 as numbers, "tokens:10" < "tokens:1a" < "tokens:2" as labels: Python's sort would depend on set order
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TracrInputEncoding.of(List.of(2, 10, "1a")));
        assertTrue(e.getMessage().contains("not consistent"), e.getMessage());
    }

    @Test
    void tracrsOwnTokenNamesAreRefusedInTheVocabulary() {
        assertThrows(IllegalArgumentException.class, () -> TracrInputEncoding.of(List.of("a", "BOS")));
        assertThrows(IllegalArgumentException.class, () -> TracrInputEncoding.of(List.of("compiler_pad")));
        assertThrows(IllegalArgumentException.class, () -> TracrInputEncoding.of(List.of("a")).token(3));
    }
}
