package dev.acdc.experiments.discover;

import dev.acdc.datasets.TaskOptions;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.discovery.RunDescription;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.load.HfTokenizer;
import dev.acdc.patching.model.Fingerprint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@link RunDescription} of one {@code discover} run: what its journal header and {@code circuit.json} record.
 *
 * <p>Fields, in order: {@code task}; {@code model}, a fingerprint of the weights (not the path they came from);
 * {@code tokenizer}, a fingerprint of the tokenizer files given with {@code --tokenizer} ({@code model's own} without
 * one); every other component of {@link TaskOptions} (seed, scramble_positions, and whatever options are added to
 * that record later: they flow in by reflection, e.g. {@code data}, the data variant); {@code inputs}, a fingerprint
 * of the clean and corrupted inputs;
 * {@code metric} and {@code ablation}; every component of {@link AcdcOptions} that can change a decision (threshold,
 * abs_value, sender_order, reference, receiver_budget; again by reflection); and {@code graph}, a fingerprint of the
 * edges in the order ACDC tests them, so a journal written before the graph's order or ids changed is refused.
 */
final class AcdcRunDescription {

    /** Task options that say where things come from or how they are fetched, replaced by content fingerprints. */
    static final Set<String> TASK_OPTIONS_BY_CONTENT = Set.of("model", "tokenizerDir", "offline");

    /** ACDC options that never change a decision ("any value gives the same circuit"). */
    static final Set<String> ACDC_OPTIONS_WITHOUT_EFFECT = Set.of("speculativeBatch");

    private AcdcRunDescription() {}

    static RunDescription of(TaskRun run, TaskOptions taskOptions, AcdcOptions acdc) {
        return builder(run, taskOptions, acdc).build();
    }

    /**
     * The description of a run whose prefilter removed {@code removed} before ACDC's walk: the plain run's fields, then
     * {@code prefilter} (as spelled, {@code eap-ig:25%}), {@code prefilter_gradient} (where the attribution took its
     * gradient) and {@code prefilter_removed} (a fingerprint of the removed edges). A plain run has none of the three, so a
     * journal of a prefiltered run never resumes as a plain run, nor as one with another K or other scores, and the
     * reverse.
     */
    static RunDescription of(TaskRun run, TaskOptions taskOptions, AcdcOptions acdc, String prefilter, String gradient,
                             java.util.BitSet removed) {
        RunDescription.Builder b = builder(run, taskOptions, acdc);
        b.put("prefilter", prefilter);
        b.put("prefilter_gradient", gradient);
        List<String> lines = new ArrayList<>();
        removed.stream().forEach(id -> lines.add(id + " " + run.graph().edge(id).name()));
        b.put("prefilter_removed", Fingerprint.ofLines(lines));
        return b.build();
    }

    private static RunDescription.Builder builder(TaskRun run, TaskOptions taskOptions, AcdcOptions acdc) {
        RunDescription.Builder b = RunDescription.builder();
        b.put("task", run.task().name());
        b.put("model", run.weightsFingerprint());
        b.put("tokenizer", taskOptions.tokenizerDir() == null ? "model's own" : tokenizer(taskOptions.tokenizerDir()));
        components(taskOptions, TASK_OPTIONS_BY_CONTENT).forEach(b::put);
        b.put("inputs", Fingerprint.ofLines(List.of(Fingerprint.of(run.task().clean()), Fingerprint.of(run.task().corrupted()))));
        b.put("metric", run.metricName());
        b.put("ablation", run.ablation().cliName());
        components(acdc, ACDC_OPTIONS_WITHOUT_EFFECT).forEach(b::put);
        b.put("graph", testOrder(run.graph(), acdc));
        return b;
    }

    /** A record's components as snake_case name → value, leaving out {@code skip}. */
    static Map<String, String> components(Record r, Set<String> skip) {
        Map<String, String> out = new LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            if (skip.contains(c.getName())) continue;
            try {
                Object v = c.getAccessor().invoke(r);
                out.put(snake(c.getName()), v instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT).replace('_', '-') : String.valueOf(v));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + r.getClass().getSimpleName() + "." + c.getName(), e);
            }
        }
        return out;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    /** Every edge id and name, receiver by receiver in ACDC's order, senders in the run's order. */
    private static String testOrder(CircuitGraph graph, AcdcOptions acdc) {
        List<String> lines = new ArrayList<>();
        for (Node r : graph.receiversInOrder()) {
            for (int id : graph.inEdgeIds(r, acdc.senderOrder())) lines.add(id + " " + graph.edge(id).name());
        }
        return Fingerprint.ofLines(lines);
    }

    private static String tokenizer(Path dir) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String f : List.of(HfTokenizer.TOKENIZER_JSON, HfTokenizer.VOCAB_JSON, HfTokenizer.MERGES_TXT)) {
            Path p = dir.resolve(f);
            if (!Files.isRegularFile(p)) continue;
            try {
                files.put(f, Files.readAllBytes(p));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read tokenizer file " + p + ": " + e.getMessage(), e);
            }
        }
        return Fingerprint.ofBytes(files);
    }
}
