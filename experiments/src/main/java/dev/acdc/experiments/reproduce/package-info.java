/**
 * {@code acdc reproduce}: the method comparison of the ACDC paper's Table 2 (every method, task, metric and
 * ablation), written as an AUC table beside the published numbers, ROC plots (PNG and SVG, edge and node panels),
 * {@code results.json} and an offline {@code index.html}. {@link dev.acdc.experiments.reproduce.PaperComparison}
 * compares each cell with the paper and names the known causes of a difference (documented deviations, ties, quick
 * mode), which the report cites by number; {@link dev.acdc.experiments.reproduce.Report} builds each section of the
 * page in its own method.
 */
package dev.acdc.experiments.reproduce;
