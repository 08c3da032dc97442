package dev.acdc.patching.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalar operands for operations that autograd records, in memory that libtorch owns.
 *
 * <p>DJL turns the number of {@code x.mul(0.5f)}, {@code x.div(n)} or {@code x.maximum(0f)} into a 0-d tensor backed
 * by a Java direct buffer, multiplies, and closes that tensor at once. Autograd has saved it for the backward pass
 * (the gradient of {@code x·c} is {@code g·c}), but the closed tensor no longer keeps its buffer reachable, so a
 * garbage collection between forward and backward frees the memory the backward pass then reads. Gradients came
 * out as NaN or as whatever reused the memory, at random: this is what made induction training differ between
 * processes and EAP/SP gradients wrong now and then. A tensor made by libtorch ({@code full}) lives as long as
 * autograd holds it. Operations that save no operand ({@code add}, {@code sub}) and code outside a gradient
 * collector can keep plain numbers.
 */
public final class OwnedScalar {
    private OwnedScalar() {}

    /** A 0-d tensor holding {@code value}, in {@code like}'s manager and data type, owned by libtorch. */
    public static NDArray of(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }
}
