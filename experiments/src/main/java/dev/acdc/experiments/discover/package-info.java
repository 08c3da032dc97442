/**
 * The {@code discover} and {@code roc} commands and what they share: task lookup ({@link
 * dev.acdc.experiments.discover.TaskSource}), a task made ready for discovery ({@link
 * dev.acdc.experiments.discover.TaskRun}: model, graph, patcher, metric, ground truth, checked to fit each other before
 * any forward pass), the option mixins, the run description a journal and {@code circuit.json} record ({@link
 * dev.acdc.experiments.discover.AcdcRunDescription}; a prefiltered run adds its prefilter, so its journal resumes only with
 * the same one), one method's faithfulness curves as {@code faithfulness} and {@code reproduce} both compute them ({@link
 * dev.acdc.experiments.discover.MethodFaithfulness}), and the circuit pictures (DOT, SVG), ROC and faithfulness plots.
 * {@code discover} and {@code roc} also write explorer pages ({@link dev.acdc.experiments.explorer.CircuitExplorer}).
 */
package dev.acdc.experiments.discover;
