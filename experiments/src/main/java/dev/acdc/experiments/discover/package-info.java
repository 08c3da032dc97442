/**
 * The {@code discover}, {@code roc} and {@code faithfulness} commands and what they share: their jobs ({@link
 * dev.acdc.experiments.discover.MethodCell}, a method on a task split into its sweep's runs; {@link
 * dev.acdc.experiments.discover.RocCell}, {@link dev.acdc.experiments.discover.FaithfulnessCell} and {@link
 * dev.acdc.experiments.discover.StabilityCell}, run by a {@link dev.acdc.experiments.cells.CellRunner}), task lookup ({@link
 * dev.acdc.experiments.discover.TaskSource}), a task made ready for discovery ({@link
 * dev.acdc.experiments.discover.TaskRun}: model, graph, patcher, metric, ground truth, checked to fit each other before
 * any forward pass), the option mixins, the run description a journal and {@code circuit.json} record ({@link
 * dev.acdc.experiments.discover.AcdcRunDescription}; a prefiltered run adds its prefilter, so its journal resumes only with
 * the same one), one method's faithfulness curves as {@code faithfulness} and {@code reproduce} both compute them ({@link
 * dev.acdc.experiments.discover.MethodFaithfulness}), the circuit pictures (DOT; SVG on {@link
 * dev.acdc.experiments.discover.CircuitLayout}'s layered grid, whose edges run in the gutters between node boxes and so
 * never cross a node they do not join), and the ROC and faithfulness plots
 * ({@link dev.acdc.experiments.discover.PlotImages}: PNG and SVG of the same panels; {@link
 * dev.acdc.experiments.discover.MethodPalette}: one colour per method in every plot; {@link
 * dev.acdc.experiments.discover.PaperRocPoints}: the paper's published ROC points, drawn beside ours).
 * {@code discover} and {@code roc} also write explorer pages ({@link dev.acdc.experiments.explorer.CircuitExplorer}).
 */
package dev.acdc.experiments.discover;
