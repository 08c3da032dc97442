package dev.acdc.experiments.discover;

import dev.acdc.datasets.TaskOptions;
import dev.acdc.experiments.cells.CellJob;
import dev.acdc.experiments.cells.GradientMethods;
import dev.acdc.experiments.cells.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every command's gradient jobs wait for the JVM's gradient collector ({@link GradientMethods}): a Spark executor with
 * several slots starts jobs side by side, and DJL's engine collects one gradient at a time. The test holds the
 * collector and checks that a job of a gradient method cannot finish until it is released, while an ACDC job can.
 */
class GradientJobsOneAtATimeTest {

    static final TaskSpec TASK = TaskSpec.of("tracr-proportion", TaskOptions.defaults());

    static RocCell roc(String method) {
        return new RocCell(TASK, null, "resample", null, method, List.of(1e-3), null, null, 0, null);
    }

    static FaithfulnessCell faithfulness(String method) {
        return new FaithfulnessCell(TASK, null, "resample", method, List.of(0.1, 1.0), null, null, 0, 0, null);
    }

    @Test
    void aRocJobOfAGradientMethodWaitsForTheCollectorAndAnAcdcJobDoesNot() throws Exception {
        assertWaitsForTheCollector(roc("eap"), roc("acdc"));
    }

    @Test
    void aFaithfulnessJobOfAGradientMethodWaitsForTheCollectorAndAnAcdcJobDoesNot() throws Exception {
        assertWaitsForTheCollector(faithfulness("eap-ig"), faithfulness("acdc"));
    }

    static void assertWaitsForTheCollector(CellJob gradient, CellJob acdc) throws Exception {
        gradient.compute(x -> {});   // loads the task and the engine, so that the timed runs below take well under a second
        AtomicReference<String> result = new AtomicReference<>();
        Thread other = new Thread(() -> result.set(gradient.compute(x -> {})));
        GradientMethods.exclusive("eap", () -> {
            other.start();
            try {
                other.join(3000);
                assertTrue(other.isAlive(), gradient.description() + " finished while another gradient job held the collector");
                assertNotNull(acdc.compute(x -> {}), "ACDC takes no gradient: it runs while the collector is held");
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return null;
        });
        other.join(60_000);
        assertFalse(other.isAlive());
        assertNotNull(result.get(), "the gradient job finished once the collector was free");
    }
}
