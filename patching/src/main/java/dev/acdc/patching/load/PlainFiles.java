package dev.acdc.patching.load;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Temporary files and directories, beside their final place, with the permissions an ordinary file gets.
 *
 * <p>{@link Files#createTempFile} and {@link Files#createTempDirectory} create 0600 files and 0700 directories on
 * POSIX file systems, whatever the umask: right for secrets in {@code /tmp}, wrong for results that are renamed into
 * place, which would then be unreadable to everyone but their owner. These create the file or directory under a
 * fresh random name with {@link Files#createFile}/{@link Files#createDirectory}, whose mode is 0666/0777 less the
 * process's umask: 0644 and 0755 under the usual umask 022, and still private under a umask of 077.
 */
public final class PlainFiles {
    private PlainFiles() {}

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new empty file {@code dir/PREFIX<random>SUFFIX}, mode 0666 less the umask. */
    public static Path createTempFile(Path dir, String prefix, String suffix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong()) + suffix);
            try {
                return Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) throw e;
            }
        }
    }

    /** A new empty directory {@code dir/PREFIX<random>}, mode 0777 less the umask. */
    public static Path createTempDirectory(Path dir, String prefix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong()));
            try {
                return Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) throw e;
            }
        }
    }
}
