package dev.acdc.tracr.rasp;

/**
 * How an SOp's values live in the residual stream: {@link #CATEGORICAL} as a one-hot direction per
 * value (the default), {@link #NUMERICAL} as the magnitude of a single direction.
 */
public enum Encoding { CATEGORICAL, NUMERICAL }
