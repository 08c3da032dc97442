package dev.acdc.experiments.discover;

import dev.acdc.discovery.method.Eap;
import dev.acdc.discovery.method.EapIg;
import dev.acdc.discovery.method.GradientAt;
import dev.acdc.discovery.method.SubnetworkProbing;
import dev.acdc.experiments.BadInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MethodFactoryTest {

    private static final FakeTasks.FakeTask TASK = new FakeTasks.FakeTask();

    @Test
    void eapAndEapIgTakeTheReferencesGradientPointsUnlessTheFlagSaysOtherwise() {
        MethodFactory.Settings defaults = MethodFactory.Settings.defaults();
        Eap eap = (Eap) MethodFactory.create("eap", TASK, "l2", defaults);
        assertEquals(GradientAt.CLEAN, eap.gradientAt());
        EapIg ig = (EapIg) MethodFactory.create("eap-ig", TASK, "l2", defaults);
        assertEquals(GradientAt.CORRUPTED, ig.gradientAt());
        assertEquals(EapIg.DEFAULT_STEPS, ig.steps());

        MethodFactory.Settings quickMean = new MethodFactory.Settings(null, true, GradientAt.MEAN, s -> {});
        assertEquals(GradientAt.MEAN, ((Eap) MethodFactory.create("eap", TASK, "l2", quickMean)).gradientAt());
        EapIg quickIg = (EapIg) MethodFactory.create("eap-ig", TASK, "l2", quickMean);
        assertEquals(GradientAt.MEAN, quickIg.gradientAt());
        assertEquals(MethodFactory.QUICK_EAP_IG_STEPS, quickIg.steps());
    }

    @Test
    void quickSpTakesEveryOtherLambdaOfTheTasksListForTheMetric() {
        MethodFactory.Settings quick = new MethodFactory.Settings(null, true, s -> {});
        for (String metric : new String[] {"kl", "logit-diff"}) {
            double[] all = SubnetworkProbing.defaultLambdas(TASK.name(), metric);
            SubnetworkProbing sp = (SubnetworkProbing) MethodFactory.create("sp", TASK, metric, quick);
            double[] got = sp.lambdasFor(TASK.name(), metric);
            assertEquals(all[0], got[0], 0.0);
            assertEquals(all[2], got[1], 0.0);
            assertEquals(all[all.length - 1], got[got.length - 1], 0.0);
        }
        // the list follows the task and the metric: 21 values for a difference metric, 32 for KL
        assertEquals(21, SubnetworkProbing.defaultLambdas("ioi", "logit-diff").length);
        assertEquals(32, SubnetworkProbing.defaultLambdas("ioi", "kl").length);
    }

    @Test
    void anUnknownGradientPointIsBadInput() {
        assertNull(EapOptionsMixin.parse(null));
        assertEquals(GradientAt.CORRUPTED, EapOptionsMixin.parse("corrupted"));
        BadInputException e = assertThrows(BadInputException.class, () -> EapOptionsMixin.parse("Clean"));
        assertEquals("unknown --eap-gradient 'Clean'; expected one of clean, corrupted, mean", e.getMessage());
    }
}
