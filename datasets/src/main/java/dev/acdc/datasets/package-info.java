/**
 * Tasks: the model, the clean and corrupted data, the scored positions, the metric and the canonical
 * circuits of tracr-reverse, tracr-proportion, induction, greater-than, IOI and docstring.
 */
package dev.acdc.datasets;
