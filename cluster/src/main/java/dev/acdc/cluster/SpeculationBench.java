package dev.acdc.cluster;

import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.discovery.AcdcJournal;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.discovery.AcdcResult;
import dev.acdc.experiments.cells.RemovalJob;
import dev.acdc.experiments.cells.RemovalWorker;
import dev.acdc.experiments.cells.TaskCache;
import dev.acdc.experiments.cells.TaskSpec;
import dev.acdc.experiments.discover.TaskRun;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures what executor-side speculation gains: one ACDC run with the local fast path and one with its
 * cumulative-removal tests on {@code MASTER}'s executors, in the same JVM one after the other (after one warm-up run
 * of each), with the Spark per-round overhead measured on empty rounds of the same shape. Prints one JSON line.
 *
 * <p>{@code java -cp 'cluster/target/cluster-0.1.0-SNAPSHOT.jar:cluster/target/lib/*' [add-opens flags]
 * dev.acdc.cluster.SpeculationBench TASK TAU MASTER [MODEL_DIR TOKENIZER_DIR]}
 */
public final class SpeculationBench {

    private SpeculationBench() {}

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("ioi-walk")) {
            ioiWalk();
            return;
        }
        if (args.length != 3 && args.length != 5) {
            System.err.println("usage: SpeculationBench TASK TAU MASTER [MODEL_DIR TOKENIZER_DIR]");
            System.exit(2);
        }
        TaskOptions o = TaskOptions.defaults();
        if (args.length == 5) o = o.withModel(args[3]).withTokenizerDir(Path.of(args[4])).withOffline(true);
        TaskSpec spec = TaskSpec.of(args[0], o);
        double tau = Double.parseDouble(args[1]);
        AcdcOptions options = AcdcOptions.fast(tau);
        Task task = TaskCache.get(spec);
        SparkContexts spark = SparkContexts.open(args[2], "SpeculationBench");
        SparkContexts.share(spark.context());
        try (TaskRun run = TaskRun.openForAcdc(task, null, "resample", null, options)) {
            RemovalJob job = new RemovalJob(spec, run.metricName(), "resample");
            AcdcResult local = null, remote = null;
            double localS = 0, remoteS = 0;
            int rounds = 0;
            for (int rep = 0; rep < 2; rep++) {   // the first of each is a warm-up: JIT, executor runs built
                long t0 = System.nanoTime();
                local = run.runAcdc(options, AcdcJournal.none(), p -> {});
                localS = (System.nanoTime() - t0) / 1e9;
                try (CountingEvaluator ev = new CountingEvaluator(new SparkRemovalEvaluator(SparkContexts.open(args[2], "x"), job))) {
                    long t1 = System.nanoTime();
                    remote = run.acdc(options).withRemovalEvaluator(ev).run();
                    remoteS = (System.nanoTime() - t1) / 1e9;
                    rounds = ev.rounds;
                }
            }
            int slots = spark.context().defaultParallelism();
            // a round's cost without the work: one empty task per slot, as many rounds again
            List<Integer> empty = new ArrayList<>();
            for (int i = 0; i < slots; i++) empty.add(i);
            long t2 = System.nanoTime();
            for (int r = 0; r < 50; r++) spark.context().parallelize(empty, slots).map(x -> x).collect();
            double overheadMs = (System.nanoTime() - t2) / 1e6 / 50;
            System.out.printf(Locale.ROOT, "{\"task\":\"%s\",\"tau\":%s,\"master\":\"%s\",\"slots\":%d,\"edges\":%d,\"tested\":%d,"
                            + "\"kept\":%d,\"same_circuit\":%s,\"local_seconds\":%.3f,\"executor_seconds\":%.3f,\"ratio_local_over_executors\":%.3f,"
                            + "\"rounds\":%d,\"tests_per_round\":%.2f,\"local_ms_per_test\":%.2f,\"empty_round_ms\":%.2f,\"variants_on_executors\":%d}%n",
                    args[0], args[1], args[2], slots, run.graph().edgeCount(), local.testedEdges(), local.circuit().edgeCount(),
                    local.circuit().bits().equals(remote.circuit().bits()), localS, remoteS, localS / remoteS, rounds,
                    (double) remote.testedEdges() / Math.max(1, rounds), 1000 * localS / local.testedEdges(), overheadMs,
                    RemovalWorker.variantsEvaluated());
        } finally {
            SparkContexts.share(null);
            spark.context().stop();
            RemovalWorker.closeAll();
        }
    }

    /**
     * The rounds ACDC's walk to the canonical IOI circuit on GPT-2 small takes with S executor slots: per receiver, a
     * round evaluates min(S, senders left) cumulative removals and consumes them up to and including the first kept
     * edge (the rest assumed it removed). Needs no model: the decisions are those that keep exactly the canonical
     * circuit, as {@code bench edge-tests} replays them.
     */
    static void ioiWalk() {
        var g = dev.acdc.patching.graph.CircuitGraph.of(dev.acdc.patching.load.Presets.gpt2Small());
        java.util.BitSet keep = new java.util.BitSet(g.edgeCount());
        for (String e : dev.acdc.datasets.EdgeNotation.toGraph(dev.acdc.datasets.gpt2.IoiCircuit.canonical().edgeStrings())) {
            keep.set(g.edge(e).id());
        }
        // the kept/removed sequence of each tested receiver, in test order
        List<List<Boolean>> receivers = new ArrayList<>();
        Object[] last = {null};
        int tested = dev.acdc.discovery.AcdcWalk.replay(g, dev.acdc.patching.graph.SenderOrder.ACDC, keep::get, (i, r, id, mask) -> {
            if (r != last[0]) {
                receivers.add(new ArrayList<>());
                last[0] = r;
            }
            receivers.get(receivers.size() - 1).add(keep.get(id));
        });
        int keptTested = 0;
        for (List<Boolean> r : receivers) for (boolean k : r) if (k) keptTested++;
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "{\"tested\":%d,\"tested_receivers\":%d,\"kept_among_tested\":%d", tested, receivers.size(), keptTested));
        for (int slots : new int[] {1, 2, 4, 8, 16, 32, 64}) {
            long rounds = 0;
            for (List<Boolean> r : receivers) {
                int i = 0;
                while (i < r.size()) {
                    int k = Math.min(slots, r.size() - i);
                    int consumed = 0;
                    for (int j = 0; j < k; j++) {
                        consumed++;
                        if (r.get(i + j)) break;   // kept: the later variants assumed it removed
                    }
                    i += consumed;
                    rounds++;
                }
            }
            b.append(String.format(Locale.ROOT, ",\"rounds_%d\":%d", slots, rounds));
        }
        System.out.println(b.append('}'));
    }

    /** Counts the rounds (calls) of an evaluator. */
    private static final class CountingEvaluator implements dev.acdc.discovery.RemovalEvaluator {
        private final dev.acdc.discovery.RemovalEvaluator inner;
        int rounds;

        CountingEvaluator(dev.acdc.discovery.RemovalEvaluator inner) {
            this.inner = inner;
        }

        @Override
        public int width() {
            return inner.width();
        }

        @Override
        public double[] cumulativeRemovals(float[] mask, int[] removals) {
            rounds++;
            return inner.cumulativeRemovals(mask, removals);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
