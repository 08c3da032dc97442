/**
 * The contract every discovery method implements ({@link dev.acdc.discovery.method.DiscoveryMethod}): a
 * method receives a task made ready ({@link dev.acdc.discovery.method.DiscoveryProblem}) and returns circuits
 * (one per hyperparameter value) and, where it has them, raw edge or node scores
 * ({@link dev.acdc.discovery.method.MethodResult}); {@link dev.acdc.discovery.method.MethodRoc} turns any
 * result into ROC curves against a ground truth.
 *
 * <p>The baselines follow the code the ACDC paper ran (and hannamw/EAP-IG for EAP-IG), each convention cited in
 * its class: {@link dev.acdc.discovery.method.SubnetworkProbing} (λ list per task and metric, the regulariser's
 * hook points, resample values from a plain corrupted run), {@link dev.acdc.discovery.method.HeadImportance}
 * (the stable-sort tie-break), {@link dev.acdc.discovery.method.Eap} and
 * {@link dev.acdc.discovery.method.EapIg} (where the gradient is taken: {@link dev.acdc.discovery.method.GradientAt}).
 * {@link dev.acdc.discovery.method.EdgePruning} follows princeton-nlp/Edge-Pruning (hard-concrete edge masks, a
 * Lagrangian on the sampled sparsity, its evaluation read-out), with the run's metric and ablation.
 *
 * <p>Post-norm models (Gemma 2): every method works on the model linearised at the clean run's post-norm rms, as the
 * edge patcher defines the edges ({@link dev.acdc.patching.patch.PostNormScales}): EAP and EAP-IG take gradients with
 * the rms held fixed, SP and HISP mask components in forwards with the rms held fixed ({@code ComponentPatching}).
 *
 * <p>Invariants: a method never closes what the problem holds; the same problem and seed give the same result.
 * Ties are resolved in one place per kind of result: a sweep method when it builds its circuits, a ranking by
 * {@link dev.acdc.metrics.Roc#rankingCurve} (tied scores kept together) at edge and node level alike.
 */
package dev.acdc.discovery.method;
