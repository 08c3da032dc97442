package dev.acdc.tracr.compiler;

import java.util.List;
import java.util.Map;

/**
 * Where every block goes: half-layer 2L is layer L's attention, 2L+1 its MLP.
 *
 * @param headsByLayer   SOp labels whose head sits in each layer, in head order
 * @param mlpsByLayer    SOp labels whose MLP sits in each layer (merged into one MLP per layer)
 * @param halfLayer      the half-layer at whose end each SOp is available (−1: embeddings)
 */
public record LayerPlan(int nLayers, List<List<String>> headsByLayer, List<List<String>> mlpsByLayer,
                        Map<String, Integer> halfLayer) {}
