package dev.acdc.patching.patch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.EdgeKind;
import dev.acdc.patching.graph.NodeKind;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.RandomModels;
import dev.acdc.patching.model.TransformerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The differentiable (NDArray) mask path of {@link EdgePatcher}: same numbers as the float path, correct gradients. */
class EdgePatcherGradientTest {

    static Stream<TransformerConfig> configs() {
        return EdgePatcherTest.configs();
    }

    static float[][] randomMasks(int k, int n, Random r) {
        float[][] m = new float[k][n];
        for (float[] row : m) for (int i = 0; i < n; i++) row[i] = r.nextDouble() < 0.3 ? 0f : (float) r.nextDouble();
        return m;
    }

    static NDArray tensor(NDManager scope, float[][] masks) {
        float[] flat = new float[masks.length * masks[0].length];
        for (int k = 0; k < masks.length; k++) System.arraycopy(masks[k], 0, flat, k * masks[0].length, masks[0].length);
        return scope.create(flat, new Shape(masks.length, masks[0].length));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void tensorMasksGiveTheFloatMaskLogits(TransformerConfig c) {
        ModelInput clean = EdgePatcherTest.tokens(c, 2, c.nCtx() - 1, 11), corrupted = EdgePatcherTest.tokens(c, 2, c.nCtx() - 1, 12);
        Random r = new Random(13);
        try (HookedTransformer m = new HookedTransformer(RandomModels.random(c, 5)); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, CircuitGraph.of(c), clean, Ablation.RESAMPLE, corrupted, List.of())) {
            for (int k : new int[] {1, 3}) {
                float[][] masks = randomMasks(k, p.maskLength(), r);
                NDArray viaFloats = p.logitsNonIncremental(scope, masks);
                NDArray viaTensor = p.logits(scope, tensor(scope, masks));
                assertEquals(viaFloats.getShape(), viaTensor.getShape());
                assertTrue(EdgePatcherTest.diff(viaFloats, viaTensor) <= 1e-5, "K = " + k);
                // and the float path really depends on the mask, so the comparison is not vacuous
                assertTrue(EdgePatcherTest.diff(viaFloats, p.cleanLogits(scope).tile(new long[] {k, 1, 1})) > 1e-3);
            }
            // a 1-D mask is one variant
            float[] one = randomMasks(1, p.maskLength(), r)[0];
            assertTrue(EdgePatcherTest.diff(p.logits(scope, new float[][] {one}), p.logits(scope, scope.create(one))) <= 1e-5);
        }
    }

    /** A fixed random linear read-out of the logits: a scalar whose gradient touches every output. */
    static double loss(NDArray logits, NDArray readout) {
        return logits.mul(readout).sum().getFloat();
    }

    @ParameterizedTest
    @MethodSource("configs")
    void maskGradientMatchesCentralFiniteDifferences(TransformerConfig c) {
        ModelInput clean = EdgePatcherTest.tokens(c, 2, c.nCtx() - 1, 21), corrupted = EdgePatcherTest.tokens(c, 2, c.nCtx() - 1, 22);
        Random r = new Random(23);
        CircuitGraph g = CircuitGraph.of(c);
        try (HookedTransformer m = new HookedTransformer(RandomModels.random(c, 6)); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of())) {
            float[] mask = new float[p.maskLength()];
            for (int i = 0; i < mask.length; i++) mask[i] = (float) (0.3 + 0.7 * r.nextDouble());
            Shape ls = p.cleanLogits(scope).getShape();
            float[] ro = new float[(int) ls.size()];
            for (int i = 0; i < ro.length; i++) ro[i] = (float) r.nextGaussian();
            NDArray readout = scope.create(ro, ls);
            float[] grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector(); NDManager pass = scope.newSubManager()) {
                NDArray mt = pass.create(mask);
                mt.setRequiresGradient(true);
                gc.backward(p.logits(pass, mt).mul(readout).sum());
                grad = mt.getGradient().toFloatArray();
            }
            double eps = 1e-2;
            for (int id : probeEdges(g)) {
                float[] plus = mask.clone(), minus = mask.clone();
                plus[id] += (float) eps;
                minus[id] -= (float) eps;
                double fd;
                try (NDManager s = scope.newSubManager()) {
                    fd = (loss(p.logits(s, new float[][] {plus}), readout) - loss(p.logits(s, new float[][] {minus}), readout)) / (2 * eps);
                }
                assertEquals(fd, grad[id], 2e-3 + 2e-2 * Math.abs(fd), "edge " + g.edge(id).name());
            }
            assertTrue(maxAbs(grad) > 1e-2, "some edge must matter");
        }
    }

    /** One edge of each kind present: from the embedding, from a head, from an MLP, into the output, a direct edge. */
    static List<Integer> probeEdges(CircuitGraph g) {
        List<Integer> ids = new ArrayList<>();
        boolean embed = false, head = false, mlp = false, out = false, direct = false;
        for (Edge e : g.edges()) {
            NodeKind s = e.sender().kind();
            if (e.kind() == EdgeKind.DIRECT) {
                if (!direct) ids.add(e.id());
                direct = true;
            } else if (e.receiver().kind() == NodeKind.OUTPUT && !out) {
                ids.add(e.id());
                out = true;
            } else if ((s == NodeKind.EMBED || s == NodeKind.TOK_EMBED || s == NodeKind.POS_EMBED) && !embed) {
                ids.add(e.id());
                embed = true;
            } else if (s == NodeKind.HEAD_OUTPUT && !head && e.receiver().kind() != NodeKind.OUTPUT) {
                ids.add(e.id());
                head = true;
            } else if (s == NodeKind.MLP_OUT && !mlp && e.receiver().kind() != NodeKind.OUTPUT) {
                ids.add(e.id());
                mlp = true;
            }
        }
        return ids;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}
