/**
 * Exact Java ports of the random number generators the ACDC datasets were generated with, so that
 * our generators reproduce the published prompts bit for bit.
 *
 * <p>{@link dev.acdc.datasets.random.Mt19937} is the shared MT19937 core with both seedings
 * ({@code init_genrand}, {@code init_by_array}). {@link dev.acdc.datasets.random.PythonRandom} is
 * CPython's {@code random} (IOI prompts, docstring), {@link dev.acdc.datasets.random.NumpyRandomState}
 * NumPy's legacy generator (IOI corruption), {@link dev.acdc.datasets.random.TorchCpuRandom} an
 * emulation of torch's CPU generator: {@code randint} (greater-than), {@code randperm} (the tracr tasks' position
 * scramble and the ACDC code's tracr data) and the draws of {@code normal_}.
 *
 * <p>Invariant: each method consumes exactly the 32-bit words its original consumes, in the same
 * order; check values from the originals are pinned in the tests.
 */
package dev.acdc.datasets.random;
