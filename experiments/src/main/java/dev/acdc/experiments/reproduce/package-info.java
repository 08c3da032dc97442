/**
 * {@code acdc reproduce}: the method comparison of the ACDC paper's Table 2 (every method, task, metric and
 * ablation), written as an AUC table beside the published numbers, ROC plots, {@code results.json} and an
 * offline {@code index.html}.
 */
package dev.acdc.experiments.reproduce;
