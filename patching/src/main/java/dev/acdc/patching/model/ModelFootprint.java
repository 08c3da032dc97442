package dev.acdc.patching.model;

import java.util.Map;

/**
 * What a model's weights occupy once loaded into a {@link HookedTransformer}, before any forward pass: the Java heap
 * (the float32 {@link TransformerWeights}, which the model keeps, plus the largest temporary copies a load makes) and
 * native memory (the device copies {@link LayerParams} makes: every tensor once, the q/k/v projection a second time
 * fused for the unsplit path, W_O a second time transposed, and the rotary tables).
 *
 * @param parameters  elements of every weight tensor ({@link TransformerConfig#parameterCount()})
 * @param heapBytes   peak Java heap while loading
 * @param nativeBytes native (or device) memory the weights hold
 */
public record ModelFootprint(long parameters, long heapBytes, long nativeBytes) {
    private static final long FLOAT = Float.BYTES;

    public static ModelFootprint of(TransformerConfig c) {
        Map<String, int[]> shapes = TransformerWeights.expectedShapes(c);
        long params = 0, largest = 0;
        for (int[] shape : shapes.values()) {
            long n = 1;
            for (int d : shape) n *= d;
            params += n;
            largest = Math.max(largest, n);
        }
        // while a checkpoint is converted: the read buffer and the converted copy of one tensor beside the rest;
        // then the transposed or fused copy LayerParams builds before handing it to the device
        long heap = FLOAT * (params + 3 * largest);
        long D = c.dModel(), d = c.dHead(), H = c.nHeads(), G = c.nKeyValueHeads();
        long duplicates = c.nLayers() * ((H + 2 * G) * D * d + H * d * D);
        long rotary = c.architecture().positions() instanceof PositionalEncoding.Rotary r ? 2L * c.nCtx() * r.dims() : 0;
        long nativeBytes = FLOAT * (params + duplicates + rotary + D);
        return new ModelFootprint(params, heap, nativeBytes);
    }

    /** Bytes as a short human figure, e.g. {@code 1.9 GiB}, {@code 310 MiB}. */
    public static String human(long bytes) {
        if (bytes >= 1L << 30) return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        if (bytes >= 1L << 20) return String.format(java.util.Locale.ROOT, "%d MiB", bytes >> 20);
        return String.format(java.util.Locale.ROOT, "%d KiB", Math.max(1, bytes >> 10));
    }
}
