package dev.acdc.experiments.discover;

import dev.acdc.discovery.method.SubnetworkProbing;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MethodFactoryTest {

    private static final FakeTasks.FakeTask TASK = new FakeTasks.FakeTask();

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
}
