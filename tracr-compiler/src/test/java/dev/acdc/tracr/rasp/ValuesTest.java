package dev.acdc.tracr.rasp;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ValuesTest {

    @Test
    void oneEqualsOnePointZeroEqualsTrueButNotTheString() {
        assertTrue(Values.equal(1, 1.0));
        assertTrue(Values.equal(1, true));
        assertTrue(Values.equal(0, false));
        assertFalse(Values.equal(1, "1"));
        assertEquals(Integer.class, Values.normalize(2.0).getClass());
    }

    @Test
    void floatingNoiseBelowTheGridIsOneValue() {
        assertEquals(Values.normalize(0.3), Values.normalize(0.1 + 0.2));
        assertEquals(Values.normalize(2.0 / 5), Values.normalize((1.0 / 5) * 2));
    }

    @Test
    void orderPutsNoneThenNumbersThenStringsThenLists() {
        List<Object> vs = new ArrayList<>(List.of(List.of(1), "b", 2.5, "a", 1));
        vs.add(null);
        vs.sort(Values.ORDER);
        assertNull(vs.get(0));
        assertEquals(List.of(1, 2.5, "a", "b", List.of(1)), vs.subList(1, vs.size()));
    }
}
