package dev.acdc.tracr.compiler;

import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.model.WeightNames;
import dev.acdc.tracr.craft.AttentionHead;
import dev.acdc.tracr.craft.BasisDirection;
import dev.acdc.tracr.craft.MlpBlock;
import dev.acdc.tracr.craft.VectorSpace;
import dev.acdc.tracr.rasp.SOp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pass 6: assembly. Lays every block's matrices into TransformerLens-named tensors over one residual
 * space (all directions sorted by (name, value)), builds the embeddings and unembedding, and reads the
 * ground-truth circuit off the weights.
 *
 * <p>Heads: {@code W_Q} maps the query directions onto key coordinates through W_QK (coldness included),
 * {@code W_K} is the identity on the key directions, {@code W_V} the identity on the value directions,
 * {@code W_O} the OV map; so a head needs {@code max(|key space|, |value space|)} dimensions and every
 * head is padded to the largest (Tracr sized heads from one of the two and crashed when the other was
 * larger). Layers with fewer heads get zero heads; the MLPs of a layer are concatenated, padded with zero
 * hidden units.
 */
public final class CraftModelToTransformer {
    private CraftModelToTransformer() {}

    public static CompiledModel assemble(String program, RaspGraph graph, ValueSets values, CraftGraph craft,
                                         LayerPlan plan, List<String> warnings) {
        // residual space
        List<VectorSpace> parts = new ArrayList<>();
        parts.add(VectorSpace.of(BasisDirection.ONE, BasisDirection.BOS, BasisDirection.PAD));
        parts.add(tokensSpace(values));
        parts.add(indicesSpace(values));
        parts.addAll(craft.spaces().values());
        for (CraftGraph.NodeBlocks b : craft.blocks().values()) {
            if (b.attention() != null) { parts.add(b.attention().reads()); parts.add(b.attention().writes()); }
            if (b.mlp() != null) { parts.add(b.mlp().reads()); parts.add(b.mlp().writes()); }
        }
        VectorSpace residual = VectorSpace.join(parts);
        int D = residual.dim(), L = plan.nLayers(), V = values.vocab().size(), N = values.maxSeqLen();

        // shapes
        int nHeads = 1, dHead = 1, dMlp = 0;
        for (int l = 0; l < L; l++) {
            nHeads = Math.max(nHeads, plan.headsByLayer().get(l).size());
            int hidden = 0;
            for (String label : plan.mlpsByLayer().get(l)) hidden += craft.blocks().get(label).mlp().hidden().dim();
            dMlp = Math.max(dMlp, hidden);
            for (String label : plan.headsByLayer().get(l)) {
                AttentionHead h = craft.blocks().get(label).attention();
                dHead = Math.max(dHead, Math.max(h.qk().right().dim(), h.ov().input().dim()));
            }
        }
        SOp out = graph.outputSop();
        String outLabel = graph.output();
        List<Object> outValues = values.of(outLabel);
        int dVocabOut = out.isNumerical() ? 1 : Math.max(1, outValues.size());
        TransformerConfig config = new TransformerConfig("tracr:" + program, L, D, nHeads, dHead, dMlp, V + 2, dVocabOut,
                N + 1, TransformerConfig.Normalization.NONE, 1e-5, TransformerConfig.Activation.RELU, false, 1.0, true);

        Map<String, Tensor> t = new LinkedHashMap<>();
        Map<BasisDirection, String> writer = new HashMap<>();
        // embeddings: token rows (sorted vocab, BOS, PAD); position 0 is BOS and has no index
        float[] wE = new float[(V + 2) * D];
        for (int i = 0; i < V; i++) {
            wE[i * D + residual.indexOf(BasisDirection.ONE)] = 1;
            wE[i * D + residual.indexOf(new BasisDirection("tokens", values.vocab().get(i)))] = 1;
        }
        wE[V * D + residual.indexOf(BasisDirection.ONE)] = 1;
        wE[V * D + residual.indexOf(BasisDirection.BOS)] = 1;
        wE[(V + 1) * D + residual.indexOf(BasisDirection.ONE)] = 1;
        wE[(V + 1) * D + residual.indexOf(BasisDirection.PAD)] = 1;
        for (var c : craft.constants().entrySet()) {
            for (int i = 0; i <= V + 1; i++) if (i != V) wE[i * D + residual.indexOf(c.getKey())] = c.getValue().floatValue();
            writer.put(c.getKey(), "tok_embed");
        }
        t.put(WeightNames.W_E, new Tensor(new int[] {V + 2, D}, wE));
        float[] wPos = new float[(N + 1) * D];
        for (int p = 1; p <= N; p++) wPos[p * D + residual.indexOf(new BasisDirection("indices", p - 1))] = 1;
        t.put(WeightNames.W_POS, new Tensor(new int[] {N + 1, D}, wPos));
        for (BasisDirection d : List.of(BasisDirection.ONE, BasisDirection.BOS, BasisDirection.PAD)) writer.put(d, "tok_embed");
        for (BasisDirection d : tokensSpace(values).basis()) writer.put(d, "tok_embed");
        for (BasisDirection d : indicesSpace(values).basis()) writer.put(d, "pos_embed");

        Map<String, List<String>> componentNodes = new TreeMap<>();
        Map<String, Set<String>> headInputs = new TreeMap<>();
        Map<String, Set<BasisDirection>> receiverDirs = new LinkedHashMap<>();

        for (int l = 0; l < L; l++) {
            float[] wQ = new float[nHeads * D * dHead], wK = new float[nHeads * D * dHead], wV = new float[nHeads * D * dHead];
            float[] wO = new float[nHeads * dHead * D];
            List<String> heads = plan.headsByLayer().get(l);
            for (int h = 0; h < heads.size(); h++) {
                AttentionHead head = craft.blocks().get(heads.get(h)).attention();
                String name = "a" + l + "." + h;
                componentNodes.put(name, List.of(heads.get(h)));
                VectorSpace left = head.qk().left(), right = head.qk().right();
                Set<BasisDirection> q = new TreeSet<>(), k = new TreeSet<>(), v = new TreeSet<>();
                for (int i = 0; i < left.dim(); i++) {
                    for (int j = 0; j < right.dim(); j++) {
                        double w = head.qk().get(i, j);
                        if (w == 0) continue;
                        wQ[(h * D + residual.indexOf(left.basis().get(i))) * dHead + j] += (float) w;
                        q.add(left.basis().get(i));
                        k.add(right.basis().get(j));
                    }
                }
                for (int j = 0; j < right.dim(); j++) wK[(h * D + residual.indexOf(right.basis().get(j))) * dHead + j] = 1;
                VectorSpace vin = head.ov().input(), vout = head.ov().output();
                for (int i = 0; i < vin.dim(); i++) {
                    wV[(h * D + residual.indexOf(vin.basis().get(i))) * dHead + i] = 1;
                    for (int o = 0; o < vout.dim(); o++) {
                        double w = head.ov().get(i, o);
                        if (w == 0) continue;
                        wO[(h * dHead + i) * D + residual.indexOf(vout.basis().get(o))] += (float) w;
                        v.add(vin.basis().get(i));
                        writer.put(vout.basis().get(o), name);
                    }
                }
                receiverDirs.put(name + ".q", q);
                receiverDirs.put(name + ".k", k);
                receiverDirs.put(name + ".v", v);
            }
            t.put(WeightNames.wQ(l), new Tensor(new int[] {nHeads, D, dHead}, wQ));
            t.put(WeightNames.bQ(l), Tensor.zeros(nHeads, dHead));
            t.put(WeightNames.wK(l), new Tensor(new int[] {nHeads, D, dHead}, wK));
            t.put(WeightNames.bK(l), Tensor.zeros(nHeads, dHead));
            t.put(WeightNames.wV(l), new Tensor(new int[] {nHeads, D, dHead}, wV));
            t.put(WeightNames.bV(l), Tensor.zeros(nHeads, dHead));
            t.put(WeightNames.wO(l), new Tensor(new int[] {nHeads, dHead, D}, wO));
            t.put(WeightNames.bO(l), Tensor.zeros(D));

            if (dMlp > 0) {
                float[] wIn = new float[D * dMlp], wOut = new float[dMlp * D];
                List<String> mlps = plan.mlpsByLayer().get(l);
                String name = "m" + l;
                Set<BasisDirection> in = new TreeSet<>();
                int offset = 0;
                for (String label : mlps) {
                    MlpBlock mlp = craft.blocks().get(label).mlp();
                    VectorSpace mi = mlp.first().input(), mh = mlp.hidden(), mo = mlp.second().output();
                    for (int i = 0; i < mi.dim(); i++) {
                        for (int j = 0; j < mh.dim(); j++) {
                            double w = mlp.first().get(i, j);
                            if (w == 0) continue;
                            wIn[residual.indexOf(mi.basis().get(i)) * dMlp + offset + j] += (float) w;
                            in.add(mi.basis().get(i));
                        }
                    }
                    for (int j = 0; j < mh.dim(); j++) {
                        for (int o = 0; o < mo.dim(); o++) {
                            double w = mlp.second().get(j, o);
                            if (w == 0) continue;
                            wOut[(offset + j) * D + residual.indexOf(mo.basis().get(o))] += (float) w;
                            writer.put(mo.basis().get(o), name);
                        }
                    }
                    offset += mh.dim();
                }
                if (!mlps.isEmpty()) {
                    componentNodes.put(name, List.copyOf(mlps));
                    receiverDirs.put(name, in);
                }
                t.put(WeightNames.wIn(l), new Tensor(new int[] {D, dMlp}, wIn));
                t.put(WeightNames.bIn(l), Tensor.zeros(dMlp));
                t.put(WeightNames.wOut(l), new Tensor(new int[] {dMlp, D}, wOut));
                t.put(WeightNames.bOut(l), Tensor.zeros(D));
            }
        }
        // unembedding
        float[] wU = new float[D * dVocabOut];
        Set<BasisDirection> outputDirs = new TreeSet<>();
        if (out.isNumerical()) {
            BasisDirection d = new BasisDirection(outLabel);
            wU[residual.indexOf(d)] = 1;
            outputDirs.add(d);
        } else {
            for (int i = 0; i < outValues.size(); i++) {
                BasisDirection d = new BasisDirection(outLabel, outValues.get(i));
                wU[residual.indexOf(d) * dVocabOut + i] = 1;
                outputDirs.add(d);
            }
        }
        receiverDirs.put("output", outputDirs);
        t.put(WeightNames.W_U, new Tensor(new int[] {D, dVocabOut}, wU));
        t.put(WeightNames.B_U, Tensor.zeros(dVocabOut));
        TransformerWeights weights = TransformerWeights.of(config, t);

        // ground truth: an edge wherever a receiver reads a direction its sender writes
        List<GroundTruthEdge> edges = new ArrayList<>();
        for (var r : receiverDirs.entrySet()) {
            Map<String, List<String>> bySender = new TreeMap<>();
            for (BasisDirection d : r.getValue()) {
                String sender = writer.get(d);
                if (sender == null) continue;
                bySender.computeIfAbsent(sender, s -> new ArrayList<>()).add(d.toString());
            }
            for (var s : bySender.entrySet()) edges.add(new GroundTruthEdge(s.getKey(), r.getKey(), s.getValue()));
            String receiver = r.getKey();
            if (receiver.startsWith("a") && !bySender.isEmpty()) {
                String head = receiver.substring(0, receiver.lastIndexOf('.'));
                headInputs.computeIfAbsent(head, x -> new TreeSet<>()).add(receiver.substring(receiver.lastIndexOf('.') + 1));
            }
        }
        edges.sort((a, b) -> a.toString().compareTo(b.toString()));
        GroundTruth truth = new GroundTruth(edges, headInputs, componentNodes);

        List<String> labels = new ArrayList<>();
        for (BasisDirection d : residual.basis()) labels.add(d.toString());
        InputEncoder encoder = new InputEncoder(values.vocab(), N);
        OutputDecoder decoder = new OutputDecoder(out.encoding(), out.isNumerical() ? List.of() : outValues);
        return new CompiledModel(program, out, config, weights, labels, encoder, decoder, truth, plan, warnings);
    }

    private static VectorSpace tokensSpace(ValueSets values) {
        List<BasisDirection> dirs = new ArrayList<>();
        for (Object v : values.vocab()) dirs.add(new BasisDirection("tokens", v));
        return new VectorSpace(dirs);
    }

    private static VectorSpace indicesSpace(ValueSets values) {
        List<BasisDirection> dirs = new ArrayList<>();
        for (int i = 0; i < values.maxSeqLen(); i++) dirs.add(new BasisDirection("indices", i));
        return new VectorSpace(dirs);
    }
}
