package dev.acdc.discovery.method;

import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.patch.Ablation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SP and HISP on the Hugging Face families: components per query head (q) and per key/value group (k, v) on a
 * grouped-query model (qwen2-tiny: 2 layers, 4 query heads, 2 key/value groups), per head on Pythia (parallel
 * residual, no grouping), and their edge circuits on the family graphs.
 */
class FamilyComponentsTest {

    static TransformerConfig config(String fixture) {
        return new EapTest.FixtureTask(fixture).weights().config();
    }

    @Test
    void groupedModelsHaveQPerHeadAndKAndVPerKeyValueGroup() {
        List<String> names = ComponentCircuits.components(config("qwen2-tiny")).stream().map(Component::name).toList();
        assertEquals(List.of(
                "a0.0.q", "a0.1.q", "a0.2.q", "a0.3.q", "a0.kv0.k", "a0.kv1.k", "a0.kv0.v", "a0.kv1.v", "m0",
                "a1.0.q", "a1.1.q", "a1.2.q", "a1.3.q", "a1.kv0.k", "a1.kv1.k", "a1.kv0.v", "a1.kv1.v", "m1"), names);
        // the hook of a group's k is attn.hook_k, whose third axis is the group
        Component k1 = ComponentCircuits.components(config("qwen2-tiny")).get(5);
        assertEquals(Component.kvK(0, 1), k1);
        assertEquals(dev.acdc.patching.model.HookNames.k(0), k1.hookName());
        // pythia: no grouping, q, k, v per head as on GPT-2
        List<String> pythia = ComponentCircuits.components(config("pythia-tiny")).stream().map(Component::name).toList();
        assertEquals(18 + 8, pythia.size());
        assertTrue(pythia.containsAll(List.of("a0.3.k", "a1.0.v", "m1")));
    }

    @Test
    void theRegulariserWeighsEachMaskByTheMasksAtItsHookPoint() {
        TransformerConfig c = config("qwen2-tiny");   // 2 layers: 8 hook points (q, k, v, mlp_out per layer)
        List<Component> cs = ComponentCircuits.components(c);
        double[] w = SubnetworkProbing.regularizerWeights(c);
        assertEquals(cs.size(), w.length);
        for (int i = 0; i < w.length; i++) {
            double expected = switch (cs.get(i).kind()) {
                case Q -> 1.0 / (8 * 4);
                case K, V -> 1.0 / (8 * 2);
                case MLP -> 1.0 / 8;
            };
            assertEquals(expected, w[i], 1e-15, cs.get(i).name());
        }
        assertEquals(1.0, java.util.Arrays.stream(w).sum(), 1e-12);
    }

    static Set<Component> allBut(TransformerConfig c, Component... dropped) {
        Set<Component> kept = new HashSet<>(ComponentCircuits.components(c));
        for (Component d : dropped) assertTrue(kept.remove(d), d.name());
        return kept;
    }

    static Set<String> missing(CircuitGraph g, Set<Component> kept) {
        Set<String> full = Circuit.full(g).edgeNames();
        Set<String> have = ComponentCircuits.circuit(g, kept).edgeNames();
        assertTrue(full.containsAll(have));
        return full.stream().filter(e -> !have.contains(e)).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** Hand-checked on qwen2-tiny's layer 0, whose only upstream sender is the embedding. */
    @Test
    void droppingAGroupsKMaskRemovesItsKEdgesOnlyAndItsHeadsStay() {
        TransformerConfig c = config("qwen2-tiny");
        CircuitGraph g = CircuitGraph.of(c);
        assertEquals(Set.of("embed->a0.kv0.k", "a0.kv0.k->a0.kv0.hook_k"),
                missing(g, allBut(c, Component.kvK(0, 0))));
        // k and v of group 0 dropped: heads 0 and 1 still read their own q, so their outputs stay (any of q, k, v)
        assertEquals(Set.of("embed->a0.kv0.k", "a0.kv0.k->a0.kv0.hook_k", "embed->a0.kv0.v", "a0.kv0.v->a0.kv0.hook_v"),
                missing(g, allBut(c, Component.kvK(0, 0), Component.kvV(0, 0))));
        // ... and their q masks too: the outputs of heads 0 and 1 go, with every edge they send; heads 2, 3 stay
        Set<String> expected = new java.util.TreeSet<>(List.of("embed->a0.kv0.k", "a0.kv0.k->a0.kv0.hook_k",
                "embed->a0.kv0.v", "a0.kv0.v->a0.kv0.hook_v",
                "embed->a0.0.q", "a0.0.q->a0.0.hook_q", "embed->a0.1.q", "a0.1.q->a0.1.hook_q"));
        List<String> layer1Receivers = new ArrayList<>(List.of("m0", "m1", "output", "a1.kv0.k", "a1.kv0.v", "a1.kv1.k", "a1.kv1.v"));
        for (int h = 0; h < 4; h++) layer1Receivers.add("a1." + h + ".q");
        for (String r : layer1Receivers) {
            expected.add("a0.0->" + r);
            expected.add("a0.1->" + r);
        }
        assertEquals(expected, missing(g, allBut(c, Component.kvK(0, 0), Component.kvV(0, 0), Component.q(0, 0),
                Component.q(0, 1))));
        // the q masks alone: a head whose group keeps k or v stays
        assertEquals(Set.of("embed->a0.0.q", "a0.0.q->a0.0.hook_q"), missing(g, allBut(c, Component.q(0, 0))));
    }

    /** Parallel residual changes nothing for the components: a dropped MLP loses its input and output edges. */
    @Test
    void pythiasParallelResidualNeedsNothingNew() {
        TransformerConfig c = config("pythia-tiny");
        assertTrue(c.architecture().parallelResidual());
        CircuitGraph g = CircuitGraph.of(c);
        Set<String> m0 = missing(g, allBut(c, Component.mlp(0)));
        assertFalse(m0.isEmpty());
        assertTrue(m0.stream().allMatch(e -> e.startsWith("m0->") || e.endsWith("->m0")), m0.toString());
        assertFalse(m0.contains("a0.0->m0"), "parallel residual: layer 0's heads do not send to m0");
        assertTrue(m0.contains("embed->m0") && m0.contains("m0->output"));
        assertEquals(Set.of("embed->a0.2.k", "a0.2.k->a0.2.hook_k"), missing(g, allBut(c, Component.k(0, 2))));
    }

    static SubnetworkProbing sp(double... lambdas) {
        return new SubnetworkProbing(new SubnetworkProbing.Options(lambdas, 30, 0.1));
    }

    static Set<String> embedToOutput(CircuitGraph g) {
        return Circuit.full(g).edgeNames().stream().filter(e -> e.endsWith("->output") && !e.startsWith("a") && !e.startsWith("m"))
                .collect(Collectors.toSet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny", "pythia-tiny", "gemma2-tiny"})
    void spLambdaZeroKeepsEveryComponentAndAHugeLambdaNone(String fixture) {
        // KL to the clean output: least at the clean model, so with λ = 0 every mask is pushed up
        MethodResult r = Problems.with(new EapTest.FixtureTask(fixture), Ablation.RESAMPLE, "kl", 3,
                p -> sp(0, 1e5).discover(p));
        Circuit keepAll = r.points().get(0).circuit(), dropAll = r.points().get(1).circuit();
        assertEquals(Circuit.full(keepAll.graph()), keepAll);
        assertEquals(embedToOutput(dropAll.graph()), dropAll.edgeNames());
        assertEquals(ComponentCircuits.components(keepAll.graph().config()).size(), r.nodeScores().size());
        assertTrue(r.nodeScores().values().stream().allMatch(v -> v < 0), r.nodeScores().toString());
    }

    @Test
    void spIsDeterministicForASeedOnAGroupedModel() {
        var task = new EapTest.FixtureTask("qwen2-tiny");
        SubnetworkProbing method = sp(0.5);
        var a = Problems.with(task, Ablation.RESAMPLE, "logit_diff", 11, p -> method.train(p, 0.5));
        var b = Problems.with(task, Ablation.RESAMPLE, "logit_diff", 11, p -> method.train(p, 0.5));
        var c = Problems.with(task, Ablation.RESAMPLE, "logit_diff", 12, p -> method.train(p, 0.5));
        assertEquals(18, a.logits().length);
        assertArrayEquals(a.kept(), b.kept());
        assertArrayEquals(a.logits(), b.logits(), 1e-4);
        assertFalse(java.util.Arrays.equals(a.logits(), c.logits()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny", "pythia-tiny", "gemma2-tiny"})
    void hispTopAllIsTheFullCircuitAndTopZeroTheEmptyOne(String fixture) {
        MethodResult r = Problems.with(new EapTest.FixtureTask(fixture), Ablation.RESAMPLE, "kl", 0,
                p -> new HeadImportance().discover(p));
        int n = ComponentCircuits.components(r.points().get(0).circuit().graph().config()).size();
        assertEquals(n + 1, r.points().size());
        assertEquals(n, r.nodeScores().size());
        assertTrue(r.nodeScores().values().stream().allMatch(Double::isFinite));
        assertTrue(r.nodeScores().values().stream().anyMatch(v -> v > 0), "logit_diff has a gradient");
        Circuit empty = r.points().get(0).circuit(), full = r.points().get(n).circuit();
        assertEquals(embedToOutput(empty.graph()), empty.edgeNames());
        assertEquals(Circuit.full(full.graph()), full);
    }

    /**
     * Post-norms (gemma2-tiny): SP's and HISP's masked forward holds every post-norm's rms at the clean run's, so
     * ablating a component is exactly what the edge patcher does when it removes that component's edges: an MLP's
     * output (every edge out of mL) or a key/value group's k (its direct edge). Two implementations that share no code
     * (hooks here, the patcher's rows there), under resample and mean ablation.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = Ablation.class, names = {"RESAMPLE", "MEAN", "ZERO"})
    void onAPostNormModelAblatingAComponentIsRemovingItsEdges(Ablation ablation) {
        var task = new EapTest.FixtureTask("gemma2-tiny");
        try (EapTest.Setup s = EapTest.Setup.of(task, ablation, "logit_diff", null);
             ComponentPatching patching = ComponentPatching.of(s.problem(), ComponentCircuits.components(task.weights().config()));
             ai.djl.ndarray.NDManager scope = ai.djl.ndarray.NDManager.newBaseManager()) {
            List<Component> cs = patching.components();
            CircuitGraph g = s.problem().graph();
            for (Component dropped : List.of(Component.mlp(0), Component.kvK(1, 1), Component.q(0, 2))) {
                float[] m = new float[cs.size()];
                java.util.Arrays.fill(m, 1f);
                m[cs.indexOf(dropped)] = 0f;
                ai.djl.ndarray.NDArray viaHooks = s.model().runWithHooks(scope, task.clean(), patching.maskedHooks(scope.create(m)));
                java.util.BitSet removed = new java.util.BitSet();
                for (var e : g.edges()) {
                    boolean out = dropped.isMlp() ? e.sender().name().equals("m0") && e.kind() == dev.acdc.patching.graph.EdgeKind.ADDITION
                            : e.kind() == dev.acdc.patching.graph.EdgeKind.DIRECT && e.sender().name().equals(dropped.name());
                    if (out) removed.set(e.id());
                }
                assertFalse(removed.isEmpty(), dropped.name());
                ai.djl.ndarray.NDArray viaEdges = s.patcher().logits(scope, removed);
                double diff = viaHooks.sub(viaEdges).abs().max().getFloat();
                assertTrue(diff < 1e-4, dropped.name() + ": " + diff);
                double moved = viaHooks.sub(s.patcher().cleanLogits(scope)).abs().max().getFloat();
                if (ablation != Ablation.ZERO || dropped.isMlp()) assertTrue(moved > 1e-4, dropped.name() + " matters");
            }
            // every mask 1: the clean model
            float[] ones = new float[cs.size()];
            java.util.Arrays.fill(ones, 1f);
            ai.djl.ndarray.NDArray full = s.model().runWithHooks(scope, task.clean(), patching.maskedHooks(scope.create(ones)));
            assertTrue(full.sub(s.patcher().cleanLogits(scope)).abs().max().getFloat() < 1e-5);
        }
    }
}
