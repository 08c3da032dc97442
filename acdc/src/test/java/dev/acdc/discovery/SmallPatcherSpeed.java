package dev.acdc.discovery;

import ai.djl.ndarray.NDManager;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.tracr.TracrTask;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;

import java.util.List;
import java.util.Locale;

/**
 * Scratch measurement, not a test: reference vs fast ACDC seconds summed over a tracr task's default
 * threshold sweep (L2 metric, resample ablation). Run single-threaded (-Dai.djl.pytorch.num_threads=1)
 * because the machine is shared.
 */
public final class SmallPatcherSpeed {
    public static void main(String[] args) {
        boolean skipReference = args.length > 0 && args[0].equals("fast-only");
        for (Task task : List.of(TracrTask.reverse(0, true), TracrTask.proportion(0, true))) {
            var c = task.weights().config();
            System.out.printf(Locale.ROOT, "%s: L=%d D=%d H=%d d=%d M=%d V=%d, B=%d P=%d%n", task.name(), c.nLayers(), c.dModel(),
                    c.nHeads(), c.dHead(), c.dMlp(), c.dVocabOut(), task.clean().batch(), task.clean().length());
            try (HookedTransformer m = new HookedTransformer(task.weights());
                 EdgePatcher p = EdgePatcher.create(m, CircuitGraph.of(c), task.clean(), Ablation.RESAMPLE,
                         task.corrupted(), task.corruptedHooks());
                 NDManager scope = NDManager.newBaseManager()) {
                Metric l2 = task.metric("l2", p.cleanLogits(scope));
                // warm-up: JIT and native code paths
                for (int i = 0; i < 3; i++) {
                    new Acdc(p, l2, AcdcOptions.fast(task.defaultThresholds()[0])).run();
                    if (!skipReference) new Acdc(p, l2, AcdcOptions.reference(task.defaultThresholds()[0])).run();
                    System.setProperty(Acdc.SMALL_PATCHER_PROPERTY, "off");
                    if (!skipReference) new Acdc(p, l2, AcdcOptions.fast(task.defaultThresholds()[0])).run();
                    System.setProperty(Acdc.SMALL_PATCHER_PROPERTY, "auto");
                }
                AcdcResult probe = new Acdc(p, l2, AcdcOptions.fast(task.defaultThresholds()[10])).run();
                System.out.println("  at the middle threshold: " + probe.maskedForwards() + " forwards, " + probe.testedEdges() + " edges tested");
                long a0 = System.nanoTime();
                var sp = dev.acdc.patching.patch.SmallModelPatcher.of(p);
                long a1 = System.nanoTime();
                float[] ones = new float[p.maskLength()];
                java.util.Arrays.fill(ones, 1f);
                float[][] masks = new float[8][];
                for (int k = 0; k < 8; k++) { masks[k] = ones.clone(); masks[k][k] = 0f; }
                for (int i = 0; i < 200; i++) sp.logits(masks);
                long a2 = System.nanoTime();
                for (int i = 0; i < 200; i++) sp.logits(masks);
                long a3 = System.nanoTime();
                System.out.printf(Locale.ROOT, "  of(): %.2f ms; 200 K=8 evaluations after warm-up: %.3f ms each (first 200: %.3f)%n",
                        (a1 - a0) / 1e6, (a3 - a2) / 200e6, (a2 - a1) / 200e6);
                if (System.getProperty("profileRuns") != null) {
                    long t = System.nanoTime();
                    int runs = Integer.getInteger("profileRuns");
                    for (int i = 0; i < runs; i++) new Acdc(p, l2, AcdcOptions.fast(task.defaultThresholds()[i % 21])).run();
                    System.out.printf(Locale.ROOT, "  %d runs: %.3f ms each%n", runs, (System.nanoTime() - t) / 1e6 / runs);
                    continue;
                }
                double ref = 0, fast = 0, before = 0;
                int same = 0;
                for (double tau : task.defaultThresholds()) {
                    // "before": the EdgePatcher fast path, as it was before SmallModelPatcher
                    System.setProperty(Acdc.SMALL_PATCHER_PROPERTY, "off");
                    long b0 = System.nanoTime();
                    if (!skipReference) new Acdc(p, l2, AcdcOptions.fast(tau)).run();
                    before += (System.nanoTime() - b0) / 1e9;
                    System.setProperty(Acdc.SMALL_PATCHER_PROPERTY, "auto");
                    long t0 = System.nanoTime();
                    AcdcResult f = new Acdc(p, l2, AcdcOptions.fast(tau)).run();
                    long t1 = System.nanoTime();
                    fast += (t1 - t0) / 1e9;
                    if (!skipReference) {
                        AcdcResult r = new Acdc(p, l2, AcdcOptions.reference(tau)).run();
                        ref += (System.nanoTime() - t1) / 1e9;
                        if (r.circuit().edgeNames().equals(f.circuit().edgeNames())) same++;
                    }
                }
                System.out.printf(Locale.ROOT, "%s: %d thresholds: reference %.3f s; before (EdgePatcher fast path) %.3f s, %.1f×;"
                                + " after (SmallModelPatcher) %.3f s, %.1f×; identical circuits %d%n",
                        task.name(), task.defaultThresholds().length, ref, before, ref / before, fast, ref / fast, same);
            }
        }
    }
}
