/**
 * RASP, the Restricted Access Sequence Processing language, as a sealed hierarchy of records, with
 * its evaluator.
 *
 * <p>Key types: {@link dev.acdc.tracr.rasp.SOp} (sequence operations: tokens, indices, map,
 * sequence map, linear sequence map, full, aggregate, selector width), {@link dev.acdc.tracr.rasp.Selector}
 * (select and its and/or/not combinations), {@link dev.acdc.tracr.rasp.Rasp} (the builder API),
 * {@link dev.acdc.tracr.rasp.Values} (value normalization and equality) and
 * {@link dev.acdc.tracr.rasp.Evaluator}.
 *
 * <p>Invariants: expressions are immutable; every expression has a unique id and a label (its name,
 * or {@code kind_id} when unnamed); every value that enters or leaves a function is normalized by
 * {@link dev.acdc.tracr.rasp.Values#normalize}, so Java {@code equals} is RASP value equality.
 */
package dev.acdc.tracr.rasp;
