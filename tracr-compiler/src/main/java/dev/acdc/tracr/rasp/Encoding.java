package dev.acdc.tracr.rasp;

/**
 * How an SOp's values live in the residual stream: {@link #CATEGORICAL} as a one-hot direction per
 * value (the default; None is the zero vector), {@link #NUMERICAL} as the magnitude of a single
 * direction (which has no None: a compiled model reads None as 0, so programs where a numerical SOp
 * receives None are outside what the compiled model reproduces, as in Tracr).
 */
public enum Encoding { CATEGORICAL, NUMERICAL }
