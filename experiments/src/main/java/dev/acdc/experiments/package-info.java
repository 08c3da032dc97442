/**
 * The {@code acdc} command line (picocli): model-info, compile, graph, discover, roc, reproduce,
 * task-info, train, bench; sweeps, ROC/AUC tables, plots, circuit pictures, the interactive circuit explorer
 * ({@code dev.acdc.experiments.explorer}) and the HTML report.
 */
package dev.acdc.experiments;
