package dev.acdc.experiments.cells;

import java.io.Serializable;

/**
 * What an executor needs to evaluate ACDC's cumulative removals for one run: the task, metric and ablation, from which
 * it builds (once per JVM and slot, {@link RemovalWorker}) the same patcher and metric the driver's run has.
 *
 * @param task     the task and its options
 * @param metric   the metric's name
 * @param ablation the ablation's CLI name
 */
public record RemovalJob(TaskSpec task, String metric, String ablation) implements Serializable {}
