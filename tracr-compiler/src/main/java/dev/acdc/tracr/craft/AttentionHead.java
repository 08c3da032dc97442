package dev.acdc.tracr.craft;

/**
 * One attention head: scores {@code q · qk · k} (coldness already folded into {@code qk}) and values
 * mapped by {@code ov} from its value space to its output space. The assembler gives it
 * {@code d_head = max(key space, value space)}, padding the smaller (Tracr sized heads from one of them).
 */
public record AttentionHead(String name, BilinearForm qk, LinearMap ov) implements Block {
    @Override
    public VectorSpace reads() {
        return VectorSpace.join(qk.left(), qk.right(), ov.input());
    }

    @Override
    public VectorSpace writes() {
        return ov.output();
    }
}
