package dev.acdc.patching.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * SHA-256 fingerprints of what a run computes on, written {@code sha256:<64 hex digits>}: two runs with the same
 * fingerprint ran on the same bits, whatever the path or name they were loaded from.
 */
public final class Fingerprint {
    private final MessageDigest digest;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    private Fingerprint() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * The weights: every tensor's name, shape and float32 bits, in name order. The config is not part of it (its
     * name is a label; its shapes are the tensors').
     */
    public static String of(TransformerWeights weights) {
        Fingerprint f = new Fingerprint();
        for (var e : new TreeMap<>(weights.tensors()).entrySet()) {
            f.text(e.getKey());
            int[] shape = e.getValue().shape();
            f.putInt(shape.length);
            for (int d : shape) f.putInt(d);
            for (float v : e.getValue().data()) f.putFloat(v);
        }
        return f.finish();
    }

    /** A model input: its shape, token ids and attention mask. */
    public static String of(ModelInput input) {
        Fingerprint f = new Fingerprint();
        int[][] tokens = input.tokens();
        f.putInt(tokens.length);
        f.putInt(tokens[0].length);
        for (int[] row : tokens) for (int t : row) f.putInt(t);
        boolean[][] attendable = input.attendable();
        f.putInt(attendable == null ? 0 : 1);
        if (attendable != null) for (boolean[] row : attendable) for (boolean a : row) f.putInt(a ? 1 : 0);
        return f.finish();
    }

    /** Named byte strings (e.g. files by name), in the given order. */
    public static String ofBytes(java.util.Map<String, byte[]> parts) {
        Fingerprint f = new Fingerprint();
        for (var e : parts.entrySet()) {
            f.text(e.getKey());
            f.flush();
            f.putInt(e.getValue().length);
            f.flush();
            f.digest.update(e.getValue());
        }
        return f.finish();
    }

    /** Text lines, e.g. a graph's edges in the order a method visits them. */
    public static String ofLines(Iterable<String> lines) {
        Fingerprint f = new Fingerprint();
        for (String line : lines) f.text(line);
        return f.finish();
    }

    private void text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        putInt(b.length);
        for (byte x : b) {
            if (!buffer.hasRemaining()) flush();
            buffer.put(x);
        }
    }

    private void putInt(int v) {
        if (buffer.remaining() < 4) flush();
        buffer.putInt(v);
    }

    private void putFloat(float v) {
        if (buffer.remaining() < 4) flush();
        buffer.putInt(Float.floatToRawIntBits(v));
    }

    private void flush() {
        buffer.flip();
        digest.update(buffer);
        buffer.clear();
    }

    private String finish() {
        flush();
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }
}
