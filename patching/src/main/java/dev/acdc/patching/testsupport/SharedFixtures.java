package dev.acdc.patching.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates the project-external {@code shared/} folder (fixtures, datasets) for tests.
 *
 * <p>Only tests use this: the project never reads {@code shared/} at run time. The folder is taken
 * from the system property {@code acdc.shared.dir} (set by the build to {@code ../shared}), else
 * from the environment variable {@code ACDC_SHARED_DIR}. Tests call {@link #path(String)} and skip
 * with the returned reason when the folder is absent.
 */
public final class SharedFixtures {
    private SharedFixtures() {}

    /** The shared folder, if it exists. */
    public static Optional<Path> root() {
        String p = System.getProperty("acdc.shared.dir");
        if (p == null || p.isBlank()) p = System.getenv("ACDC_SHARED_DIR");
        if (p == null || p.isBlank()) return Optional.empty();
        Path root = Path.of(p).toAbsolutePath().normalize();
        return Files.isDirectory(root) ? Optional.of(root) : Optional.empty();
    }

    /** A path below the shared folder, if it exists (e.g. {@code fixtures/gpt2-tiny}). */
    public static Optional<Path> path(String relative) {
        return root().map(r -> r.resolve(relative)).filter(Files::exists);
    }

    /** The message a skipped test shows. */
    public static String missing(String relative) {
        return "shared fixture '" + relative + "' not found (set -Dacdc.shared.dir or ACDC_SHARED_DIR to the shared/ folder)";
    }
}
