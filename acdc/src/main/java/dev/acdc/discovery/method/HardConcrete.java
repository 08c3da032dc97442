package dev.acdc.discovery.method;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.acdc.patching.model.OwnedScalar;

/**
 * The hard-concrete distribution of Louizos et al. (2018), as subnetwork probing uses it for its masks: a
 * stretched, clamped binary-concrete variable that is exactly 0 or 1 with positive probability and
 * differentiable in its logit everywhere else.
 *
 * <p>For a logit θ and a uniform draw u ∈ (0, 1):
 * <pre>
 *   s = σ((log u − log(1 − u) + θ) / β)
 *   m = clamp(s·(ζ − γ) + γ, 0, 1)
 * </pre>
 * The deterministic mask (no noise) is {@code clamp(σ(θ)·(ζ − γ) + γ, 0, 1)}, and the expected L0 norm, the
 * probability that m is nonzero, is {@code σ(θ − β·log(−γ/ζ))}.
 *
 * @param beta  the temperature β (2/3 in SP)
 * @param gamma the stretch's lower end γ &lt; 0 (−0.1)
 * @param zeta  the stretch's upper end ζ &gt; 1 (1.1)
 */
public record HardConcrete(double beta, double gamma, double zeta) {

    /** β = 2/3, γ = −0.1, ζ = 1.1: Cao et al.'s values, kept by the ACDC paper (appendix D.1) and its code. */
    public static final HardConcrete SP = new HardConcrete(2.0 / 3.0, -0.1, 1.1);

    /**
     * The range the ACDC code (after Cao et al.) clamps u to, so that log u and log(1 − u) stay finite.
     */
    public static final double U_MIN = 1e-4, U_MAX = 1 - 1e-4;

    public HardConcrete {
        if (!(beta > 0)) throw new IllegalArgumentException("beta must be > 0, found " + beta);
        if (!(gamma < 0)) throw new IllegalArgumentException("gamma must be < 0, found " + gamma);
        if (!(zeta > 1)) throw new IllegalArgumentException("zeta must be > 1, found " + zeta);
    }

    /**
     * The logit at which the deterministic mask equals {@code p}: logit((p − γ)/(ζ − γ)). SP starts every
     * mask at p = 0.9 (Cao et al.'s initialisation), which is logit(5/6) = ln 5 ≈ 1.609.
     */
    public double initialLogit(double p) {
        double q = (p - gamma) / (zeta - gamma);
        if (!(q > 0 && q < 1)) throw new IllegalArgumentException("p must map into (0, 1), found p = " + p);
        return Math.log(q / (1 - q));
    }

    /** The logistic noise log u − log(1 − u) of a uniform draw, u clamped to [{@link #U_MIN}, {@link #U_MAX}]. */
    public static double logisticNoise(double u) {
        double c = Math.min(U_MAX, Math.max(U_MIN, u));
        return Math.log(c) - Math.log(1 - c);
    }

    /** A mask sample for logit θ and uniform draw u. */
    public double sample(double logit, double u) {
        return stretchAndClamp(sigmoid((logisticNoise(u) + logit) / beta));
    }

    /**
     * {@link #sample(double, double)} on arrays, differentiable in the logits, for a training step: the logistic
     * noise already drawn ({@link #logisticNoise}). The scalars autograd saves are libtorch-owned ({@link OwnedScalar}).
     */
    public NDArray sample(NDArray logits, NDArray noise) {
        return Activation.sigmoid(logits.add(noise).div(OwnedScalar.of(logits, beta)))
                .mul(OwnedScalar.of(logits, zeta - gamma)).add((float) gamma).clip(0f, 1f);
    }

    /** The mask without noise: clamp(σ(θ)·(ζ − γ) + γ, 0, 1). */
    public double deterministic(double logit) {
        return stretchAndClamp(sigmoid(logit));
    }

    /**
     * Whether a component is kept in the final circuit: its deterministic mask is at least 0.5. With the
     * symmetric stretch of SP (γ + ζ = 1) that is exactly θ ≥ 0.
     */
    public boolean kept(double logit) {
        return deterministic(logit) >= 0.5;
    }

    /** The expected L0 norm of one mask, P(m ≠ 0) = σ(θ − β·log(−γ/ζ)). */
    public double expectedL0(double logit) {
        return sigmoid(logit - beta * Math.log(-gamma / zeta));
    }

    /** d/dθ of {@link #expectedL0}: p·(1 − p) with p the expected L0. */
    public double expectedL0Derivative(double logit) {
        double p = expectedL0(logit);
        return p * (1 - p);
    }

    private double stretchAndClamp(double s) {
        return Math.min(1.0, Math.max(0.0, s * (zeta - gamma) + gamma));
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
