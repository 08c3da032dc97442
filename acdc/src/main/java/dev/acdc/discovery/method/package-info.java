/**
 * The contract every discovery method implements ({@link dev.acdc.discovery.method.DiscoveryMethod}): a
 * method receives a task made ready ({@link dev.acdc.discovery.method.DiscoveryProblem}) and returns circuits
 * (one per hyperparameter value) and, where it has them, raw edge or node scores
 * ({@link dev.acdc.discovery.method.MethodResult}); {@link dev.acdc.discovery.method.MethodRoc} turns any
 * result into ROC curves against a ground truth.
 */
package dev.acdc.discovery.method;
