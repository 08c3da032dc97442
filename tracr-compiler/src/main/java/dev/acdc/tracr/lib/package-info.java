/**
 * The library of RASP programs with the semantics of Tracr's {@code lib.py} ({@link dev.acdc.tracr.lib.Programs}),
 * and the registry that names them for the CLI ({@link dev.acdc.tracr.lib.Library}).
 */
package dev.acdc.tracr.lib;
