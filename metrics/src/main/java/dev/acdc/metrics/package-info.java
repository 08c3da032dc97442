/**
 * Metrics: how far a patched model is from the clean one, and how well a recovered circuit matches a
 * ground truth.
 *
 * <p>Output metrics ({@link dev.acdc.metrics.Metrics}, {@link dev.acdc.metrics.Metric}) work on DJL
 * NDArrays, logits [B, P, V], at {@link dev.acdc.metrics.ScoredPositions}: KL(clean ‖ patched) from
 * log_softmax, L2 (mean squared difference), logit difference, probability difference. The raw functions
 * return scalar NDArrays (differentiable, for SP and EAP); {@code Metric} objects are oriented so that
 * lower is better, as ACDC minimises them (task metrics negated), and evaluate to a double without leaking.
 *
 * <p>Circuit metrics ({@link dev.acdc.metrics.Roc}, {@link dev.acdc.metrics.RocCurve},
 * {@link dev.acdc.metrics.RocPoint}): TPR/FPR over edges or nodes against a ground truth, the ACDC paper's
 * pessimistic AUC (endpoints added, dominated points removed, staircase sum) and the trapezoidal AUC. A score
 * ranking becomes a curve at edge and node level through {@link dev.acdc.metrics.Roc#rankingCurve}, which holds
 * the one tie rule: one point per distinct score, tied items kept together (never broken by id).
 *
 * <p>Invariants: metrics never close or detach their inputs; every array they create lives on the
 * input's manager, or in an {@code NDScope} closed before {@code evaluate} returns.
 */
package dev.acdc.metrics;
