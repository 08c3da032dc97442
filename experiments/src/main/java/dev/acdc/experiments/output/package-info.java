/**
 * How commands write what a user ran: nothing half-written, nothing from two runs mixed.
 *
 * <ul>
 *   <li>{@link dev.acdc.experiments.output.RunLock}: one writer per output directory, an operating-system lock on a
 *       lock file that records the holder's pid and host; a second run exits 2 naming the holder, and a lock file
 *       left by a killed run is detected as stale and taken over.</li>
 *   <li>{@link dev.acdc.experiments.output.OutputDirectory}: {@code --out} checked before any computation, and a
 *       command's files written into a staging directory and moved into place as a set.</li>
 * </ul>
 */
package dev.acdc.experiments.output;
