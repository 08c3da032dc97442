package dev.acdc.patching.load;

import dev.acdc.patching.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Files written through a temporary file get the permissions of a file created plainly (0644 under umask 022), not 0600. */
class PlainFilesTest {
    @TempDir
    Path tmp;

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void temporaryFilesAndDirectoriesTakeTheUmaskAndSafetensorsFilesFollow() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "a POSIX file system");
        String plainFile = perms(Files.createFile(tmp.resolve("plain")));
        String plainDir = perms(Files.createDirectory(tmp.resolve("plain-dir")));
        assumeTrue(plainFile.endsWith("r--"), "a umask that lets others read (022): " + plainFile);

        Path f = PlainFiles.createTempFile(tmp, ".x.", ".tmp");
        assertTrue(f.getFileName().toString().startsWith(".x.") && f.getFileName().toString().endsWith(".tmp"), f.toString());
        assertEquals(plainFile, perms(f));
        Path d = PlainFiles.createTempDirectory(tmp, ".y.staging");
        assertEquals(plainDir, perms(d));
        assertNotEquals(f, PlainFiles.createTempFile(tmp, ".x.", ".tmp"), "a fresh name each time");

        Path weights = tmp.resolve("model/model.safetensors");
        SafetensorsWriter.write(weights, Map.of("w", Tensor.zeros(new int[] {2})), Map.of());
        assertEquals(plainFile, perms(weights));
    }
}
