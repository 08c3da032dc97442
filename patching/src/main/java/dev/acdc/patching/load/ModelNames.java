package dev.acdc.patching.load;

import java.nio.file.Path;

/** Names for models read from directories, for reports and error messages. */
final class ModelNames {
    private ModelNames() {}

    /**
     * {@code org/name} for a Hugging Face cache snapshot ({@code …/models--org--name/snapshots/<rev>}),
     * else the directory's own name.
     */
    static String displayName(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        Path repo = parent == null ? null : parent.getParent();
        if (parent != null && repo != null && repo.getFileName() != null && parent.getFileName().toString().equals("snapshots")
                && repo.getFileName().toString().startsWith("models--")) {
            return repo.getFileName().toString().substring("models--".length()).replace("--", "/");
        }
        Path name = abs.getFileName();
        return name == null ? abs.toString() : name.toString();
    }
}
