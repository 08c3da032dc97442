package dev.acdc.tracr.craft;

/**
 * How sharp the ramps of a numerical MLP are. A step between adjacent input values {@code a < b} is a
 * ramp of width {@code 1/slope} centred on {@code (a+b)/2}; it is exact when the ramp fits between them,
 * i.e. {@code slope ≥ 1/(b−a)}.
 *
 * <p>By default the slope of each step is {@code gapFactor/(b−a)}, chosen from the gap itself, so the MLP
 * is exact for any value set (Tracr used one fixed slope, 100, which merges 1/10 and 1/11 and broke
 * SelectorWidth from width 10). {@link #fixed(double)} reproduces a fixed slope, for comparison.
 *
 * @param gapFactor  slope × gap for gap-chosen slopes (≥ 1 is exact; 2 leaves a margin)
 * @param fixedSlope a slope used for every step when positive, else 0
 */
public record Discretisation(double gapFactor, double fixedSlope) {
    public static final Discretisation DEFAULT = new Discretisation(2.0, 0);

    public Discretisation {
        if (!(gapFactor > 0)) throw new IllegalArgumentException("gapFactor must be > 0, found " + gapFactor);
        if (fixedSlope < 0) throw new IllegalArgumentException("fixedSlope must be ≥ 0, found " + fixedSlope);
    }

    /** Tracr's behaviour: the same slope for every step whatever the gap. */
    public static Discretisation fixed(double slope) {
        return new Discretisation(1.0, slope);
    }

    public double slope(double gap) {
        return fixedSlope > 0 ? fixedSlope : gapFactor / gap;
    }
}
