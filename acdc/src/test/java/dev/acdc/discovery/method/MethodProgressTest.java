package dev.acdc.discovery.method;

import dev.acdc.datasets.tracr.TracrTask;
import dev.acdc.patching.patch.Ablation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Every method reports its steps through {@link DiscoveryMethod#withProgress}, and reporting never changes the result. */
class MethodProgressTest {

    @Test
    void spReportsEachLambdaAndItsEpochs() {
        List<String> lines = new ArrayList<>();
        SubnetworkProbing sp = new SubnetworkProbing(new SubnetworkProbing.Options(new double[] {0.1, 1.0}, 40, 0.1));
        MethodResult quiet = Problems.with(TracrTask.reverse(0, true), Ablation.ZERO, "l2", 3, p -> sp.discover(p));
        MethodResult loud = Problems.with(TracrTask.reverse(0, true), Ablation.ZERO, "l2", 3, p -> sp.withProgress(lines::add).discover(p));
        assertEquals("sp λ=0.100 (1/2)", lines.get(0));
        assertTrue(lines.contains("sp λ=0.100 (1/2) epoch 20/40"), lines.toString());
        assertTrue(lines.contains("sp λ=1.00 (2/2)"), lines.toString());
        assertEquals(2 + 2 * (SubnetworkProbing.PROGRESS_REPORTS - 1), lines.size(), "one line per λ and 19 per λ's 40 epochs: " + lines);
        for (int i = 0; i < 2; i++) assertEquals(quiet.points().get(i).circuit(), loud.points().get(i).circuit());
    }

    @Test
    void hispReportsItsGradientPassAndSweep() {
        List<String> lines = new ArrayList<>();
        Problems.with(TracrTask.reverse(0, true), Ablation.ZERO, "l2", 3, p -> new HeadImportance().withProgress(lines::add).discover(p));
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("hisp gradient pass") && lines.get(1).startsWith("hisp top-k sweep"), lines.toString());
    }

    @Test
    void eapAndEapIgReportEachGradientPass() {
        List<String> ig = new ArrayList<>(), eap = new ArrayList<>();
        MethodResult quiet = Problems.with(TracrTask.reverse(0, true), Ablation.RESAMPLE, "l2", 3, p -> new EapIg(4).discover(p));
        MethodResult loud = Problems.with(TracrTask.reverse(0, true), Ablation.RESAMPLE, "l2", 3,
                p -> new EapIg(4).withProgress(ig::add).discover(p));
        assertEquals(List.of("eap-ig step 1/4", "eap-ig step 2/4", "eap-ig step 3/4", "eap-ig step 4/4"), ig);
        assertEquals(quiet.points().size(), loud.points().size());
        Problems.with(TracrTask.reverse(0, true), Ablation.RESAMPLE, "l2", 3, p -> new Eap(GradientAt.MEAN).withProgress(eap::add).discover(p));
        assertEquals(List.of("eap pass 1/2", "eap pass 2/2"), eap, "the mean gradient takes the clean and the corrupted pass");
    }
}
