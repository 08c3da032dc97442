/**
 * {@code acdc reproduce}: the method comparison of the ACDC paper's Table 2 (every method, task, metric and
 * ablation), written as an AUC table beside the published numbers, ROC plots (PNG and SVG, edge and node panels),
 * {@code results.json} and an offline {@code index.html}; beside it each cell's MIB faithfulness (CPR and CMD, {@code
 * FaithfulnessTable}), from the same method run and with the {@code faithfulness} command's code, as a table, a plot per
 * task, metric and ablation, and {@code results.json}'s {@code faithfulness}. {@link
 * dev.acdc.experiments.reproduce.PaperComparison} compares each cell with the paper and names the known causes of a
 * difference (documented deviations, ties, quick mode), which the report cites by number; {@link
 * dev.acdc.experiments.reproduce.Report} builds each section of the page in its own method.
 *
 * <p>Each cell (a method on a task, metric and ablation) is a {@link dev.acdc.experiments.reproduce.ReproduceCell}
 * job whose {@link dev.acdc.experiments.reproduce.CellResult} (the cell, its plotted curves, its faithfulness and
 * explorer page) is journaled as it completes; the report is assembled from those results, so it is the same whether
 * the cells ran here, on Spark executors, or partly in a previous run continued with {@code --resume}.
 */
package dev.acdc.experiments.reproduce;
