package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.graph.NodeKind;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.RandomModels;
import dev.acdc.patching.model.TransformerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static dev.acdc.patching.patch.EdgePatcherTest.diff;
import static dev.acdc.patching.patch.EdgePatcherTest.ones;
import static dev.acdc.patching.patch.EdgePatcherTest.tokens;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Single-variant passes each start from the state the previous one left (the base). Every pass of a random sequence
 * of masks must equal the oracle, which recomputes everything from the clean values: sequences that walk receivers
 * as ACDC does, jump back to earlier layers, put removed edges back, kill heads (every out-edge removed, so their
 * rows go stale) and revive them, remove direct edges, and use fractional weights; at every row and at a few rows.
 */
class BaseStateTest {

    static final TransformerConfig THREE_LAYERS = TransformerConfig.gpt2Style("three-layers", 3, 9, 3, 16, 11, 6, 1e-5);

    static Stream<Arguments> cases() {
        return Stream.of(RandomModels.tinyGpt2(), RandomModels.tinyTracrStyle(), RandomModels.tinyAttnOnly(), THREE_LAYERS)
                .flatMap(c -> Stream.of(Arguments.of(c, Ablation.RESAMPLE), Arguments.of(c, Ablation.ZERO)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void everyPassOfARandomMaskSequenceEqualsTheOracle(TransformerConfig c, Ablation ablation) {
        int batch = 3, len = 5;
        ModelInput clean = tokens(c, batch, len, 50), corrupted = tokens(c, batch, len, 51);
        CircuitGraph g = CircuitGraph.of(c);
        Random r = new Random(52);
        long[] someRows = {4, 7, 14};                              // row 0's last position, row 1's third, row 2's last
        try (HookedTransformer m = new HookedTransformer(RandomModels.random(c, 53)); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, g, clean, ablation, corrupted, List.of())) {
            for (long[] rows : new long[][] {null, someRows}) {
                float[] mask = ones(g.edgeCount());
                List<Node> receivers = g.receiversInOrder();
                int next = 0;
                for (int step = 0; step < 40; step++) {
                    String what = mutate(g, receivers, mask, r, next);
                    next = (next + 1) % receivers.size();
                    float[][] masks = {mask.clone()};
                    try (NDManager s = scope.newSubManager()) {
                        NDArray got = rows == null ? p.logits(s, masks) : p.logitsAt(s, masks, rows);
                        NDArray expected = rows == null ? p.logitsNonIncremental(s, masks) : p.logitsNonIncrementalAt(s, masks, rows);
                        assertEquals(expected.getShape(), got.getShape(), what);
                        assertTrue(diff(got, expected) < 1e-4, "step " + step + " (" + what + "), rows " + java.util.Arrays.toString(rows)
                                + ": " + diff(got, expected));
                    }
                }
            }
        }
    }

    /** Changes the mask as one of ACDC's steps would, or in a way ACDC never does; returns what it did. */
    static String mutate(CircuitGraph g, List<Node> receivers, float[] mask, Random r, int next) {
        int kind = r.nextInt(8);
        switch (kind) {
            case 0, 1, 2 -> {
                // ACDC: remove (or keep) one in-edge of the next receiver in processing order
                List<Edge> in = g.inEdges(receivers.get(next));
                Edge e = in.get(r.nextInt(in.size()));
                mask[e.id()] = r.nextBoolean() ? 0f : 1f;
                return "edge " + e.name() + " = " + mask[e.id()];
            }
            case 3 -> {
                // jump back: an earlier receiver's in-edges at random
                Node rec = receivers.get(receivers.size() - 1 - r.nextInt(Math.max(1, receivers.size() / 2)));
                for (Edge e : g.inEdges(rec)) mask[e.id()] = r.nextDouble() < 0.5 ? 0f : 1f;
                return "receiver " + rec + " at random";
            }
            case 4 -> {
                // put removed edges back
                for (int id = 0; id < mask.length; id++) if (mask[id] == 0f && r.nextDouble() < 0.5) mask[id] = 1f;
                return "half the removed edges back";
            }
            case 5 -> {
                // kill a head or an MLP (every out-edge removed: its row goes stale), or revive it
                List<Node> senders = g.nodes().stream()
                        .filter(n -> n.kind() == NodeKind.HEAD_OUTPUT || n.kind() == NodeKind.MLP_OUT).toList();
                Node s = senders.get(r.nextInt(senders.size()));
                float v = r.nextBoolean() ? 0f : 1f;
                for (Edge e : g.outEdges(s)) if (e.id() < mask.length) mask[e.id()] = v;
                return (v == 0f ? "kill " : "revive ") + s;
            }
            case 6 -> {
                // direct edges: remove, restore or interpolate one
                List<Edge> direct = g.edges().stream().filter(e -> e.kind() == dev.acdc.patching.graph.EdgeKind.DIRECT).toList();
                Edge e = direct.get(r.nextInt(direct.size()));
                float[] values = {0f, 1f, 0.5f};
                mask[e.id()] = values[r.nextInt(3)];
                return "direct " + e.name() + " = " + mask[e.id()];
            }
            default -> {
                // fractional weights on a few edges anywhere
                for (int i = 0; i < 3; i++) mask[r.nextInt(mask.length)] = (float) r.nextDouble();
                return "fractional weights";
            }
        }
    }
}
