package dev.acdc.patching.testsupport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes freed native memory visible, for tests of code that hands Java-owned buffers to libtorch.
 *
 * <p>DJL backs an NDArray made from Java data ({@code manager.create(float[])}, and the scalar that
 * {@code x.mul(0.5f)} creates behind the scenes) with a direct {@link ByteBuffer} that libtorch reads in place.
 * Closing the NDArray drops the last Java reference; the next garbage collection frees the buffer, even if
 * autograd saved the tensor for the backward pass. {@link #reuse()} forces that collection and then fills the
 * allocator's freed small chunks with NaN, so a backward pass that reads freed memory gives different numbers
 * than one that does not, every time instead of once in a while.
 */
public final class FreedNativeMemory implements AutoCloseable {
    private final List<ByteBuffer> scribbles = new ArrayList<>();

    private FreedNativeMemory() {}

    /**
     * Collects garbage (freeing the native memory of unreachable direct buffers) and reallocates small chunks
     * filled with NaN; the returned object keeps them allocated until closed.
     */
    public static FreedNativeMemory reuse() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(20);   // the reference handler frees the buffers after the collection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        FreedNativeMemory m = new FreedNativeMemory();
        for (int i = 0; i < 4096; i++) {
            int bytes = 4 << (i % 5);   // 4 to 64 bytes: the sizes of scalars and small index arrays
            ByteBuffer b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            while (b.remaining() >= 4) b.putFloat(Float.NaN);
            m.scribbles.add(b);
        }
        return m;
    }

    @Override
    public void close() {
        scribbles.clear();
    }
}
