package dev.acdc.patching.load;

import java.util.Arrays;
import java.util.Optional;

/**
 * The safetensors element types this project reads and writes. Only the floating types are
 * converted to float32; the others are named so that error messages can say what was found.
 */
enum SafetensorsDtype {
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    F64(8, false),
    I64(8, false),
    I32(4, false),
    I16(2, false),
    I8(1, false),
    U8(1, false),
    BOOL(1, false);

    final int bytes;
    /** Whether {@link SafetensorsReader} converts this dtype to float32. */
    final boolean readable;

    SafetensorsDtype(int bytes, boolean readable) {
        this.bytes = bytes;
        this.readable = readable;
    }

    static Optional<SafetensorsDtype> parse(String name) {
        return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst();
    }
}
