/**
 * Metrics: KL divergence, L2, logit and probability difference, ROC curves and AUC of recovered
 * edges and nodes against a ground truth, faithfulness.
 */
package dev.acdc.metrics;
