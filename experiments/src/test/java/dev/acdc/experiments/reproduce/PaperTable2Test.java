package dev.acdc.experiments.reproduce;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class PaperTable2Test {

    @Test
    void theTaskMetricRowsAreTheLossRowsAndKlIsItsOwn() {
        assertEquals(0.200, PaperTable2.get("tracr-reverse", "l2", "resample", "acdc", "edge").getAsDouble());
        assertEquals(0.750, PaperTable2.get("tracr-reverse", "l2", "resample", "hisp", "node").getAsDouble());
        assertEquals(1.000, PaperTable2.get("tracr-proportion", "l2", "zero", "acdc", "edge").getAsDouble());
        assertEquals(0.539, PaperTable2.get("ioi", "kl", "zero", "acdc", "edge").getAsDouble());
        assertEquals(0.589, PaperTable2.get("ioi", "logit-diff", "resample", "acdc", "edge").getAsDouble());
        assertEquals(0.811, PaperTable2.get("greater-than", "prob-diff", "resample", "sp", "node").getAsDouble());
    }

    @Test
    void cellsThePaperDoesNotHaveAreEmpty() {
        assertTrue(PaperTable2.get("tracr-reverse", "kl", "resample", "acdc", "edge").isEmpty(), "the paper scores tracr by L2 only");
        assertTrue(PaperTable2.get("induction", "kl", "resample", "acdc", "edge").isEmpty(), "no induction row");
        assertTrue(PaperTable2.get("ioi", "kl", "resample", "eap", "edge").isEmpty(), "EAP came after the paper");
    }
}
