package dev.acdc.discovery;

import dev.acdc.patching.graph.Circuit;

/**
 * What an ACDC run found.
 *
 * @param circuit        the kept edges; scores are the effect sizes new − cur measured when each edge was
 *                       tested (NaN for edges removed untested because their receiver fed nothing)
 * @param metricFull     the metric with every edge intact
 * @param metricFinal    the metric of the final circuit
 * @param testedEdges    edges whose removal was evaluated
 * @param maskedForwards masked forward passes run (a batch of variants counts once)
 * @param seconds        wall-clock time
 */
public record AcdcResult(Circuit circuit, double metricFull, double metricFinal, int testedEdges, int maskedForwards,
                         double seconds) {}
