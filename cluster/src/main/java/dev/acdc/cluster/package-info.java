/**
 * Apache Spark as a {@link dev.acdc.experiments.cells.ClusterEngine} ({@code --engine spark}): the cells of
 * {@code reproduce} as Spark jobs ({@code SparkCellRunner}), and ACDC's cumulative-removal tests on executors with
 * the decisions on the driver ({@code SparkRemovalEvaluator}).
 *
 * <p>This module is the only one that depends on Spark; the CLI finds it with {@link java.util.ServiceLoader} only
 * when {@code --engine spark} is given, so an ordinary run neither loads a Spark class nor needs the jars. Invariants:
 * executors receive values only ({@link dev.acdc.experiments.cells.CellJob}, masks as bit sets), build the model
 * themselves once per JVM, and never decide anything that changes a result; a SparkContext that was already active
 * (spark-submit's, a test's) is used and left running, one this module started is stopped when its runner closes.
 * On a cluster master, executors receive through {@code spark.jars} what the CLI runs on and a Spark installation lacks
 * ({@code SparkContexts.jarsForExecutors}), and a run that can no longer compute (no executor for
 * {@code spark.acdc.executorWait}, or an application the master removed) ends with one line instead of waiting for
 * ever ({@code ExecutorWatch}).
 */
package dev.acdc.cluster;
