package dev.acdc.tracr.craft;

/**
 * A ReLU MLP: {@code out = ReLU(x · first) · second}. {@code first} maps residual directions to this
 * block's hidden directions, whose names are unique to the block (Tracr reused one hidden name across
 * selector widths, which collided when two shared a layer).
 */
public record MlpBlock(String name, LinearMap first, LinearMap second) implements Block {
    public MlpBlock {
        if (!first.output().equals(second.input())) {
            throw new IllegalArgumentException("MLP " + name + ": hidden spaces differ: " + first.output() + " vs " + second.input());
        }
    }

    public VectorSpace hidden() {
        return first.output();
    }

    @Override
    public VectorSpace reads() {
        return first.input();
    }

    @Override
    public VectorSpace writes() {
        return second.output();
    }
}
