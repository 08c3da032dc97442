/**
 * {@code acdc bench}: the measured ceiling (GEMM) and every figure the performance targets name, measured in
 * one run (warm-up, repeats, median and spread) so that ratios hold on a noisy machine.
 */
package dev.acdc.experiments.bench;
