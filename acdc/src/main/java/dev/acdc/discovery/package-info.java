/**
 * Circuit discovery methods behind one interface: ACDC (with its slow reference oracle),
 * subnetwork probing (SP), head importance (HISP) and edge attribution patching (EAP, EAP-IG).
 *
 * <p>ACDC's decisions can be journaled ({@link dev.acdc.discovery.AcdcJournal}) so that a killed run resumes: the
 * journal's header is the run's {@link dev.acdc.discovery.RunDescription} (a journal of another run is refused naming
 * the field that differs), every line carries a checksum (replay stops at the first damaged line), a replayed
 * decision must agree with the graph and the threshold, and the file is only ever replaced by an atomic rename or
 * appended to.
 *
 * <p>ACDC's speculative batches of cumulative removals can be evaluated elsewhere
 * ({@link dev.acdc.discovery.RemovalEvaluator}: a cluster's executors); the decisions are always taken by
 * {@link dev.acdc.discovery.Acdc#run} in ACDC's order, so where the values are computed never changes the circuit
 * beyond float rounding.
 */
package dev.acdc.discovery;
