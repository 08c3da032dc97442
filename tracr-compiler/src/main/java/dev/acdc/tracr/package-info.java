/**
 * A Tracr-style compiler from RASP programs to transformer weights whose circuit is known exactly.
 *
 * <p>Owns the RASP language and evaluator ({@code rasp}), the craft layer of labelled vector spaces
 * and blocks ({@code craft}), the compiler passes ({@code compiler}), the program library ({@code lib})
 * and the ground-truth circuit of a compiled model.
 */
package dev.acdc.tracr;
