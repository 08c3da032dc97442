package dev.acdc.experiments.discover;

import dev.acdc.experiments.CliRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Results get the permissions an ordinary file or directory gets under the process's umask (0644 and 0755 under
 * 022), not the 0600/0700 of Java's temporary files they are written through.
 */
class OutputPermissionsTest {
    @TempDir
    Path tmp;

    private Set<PosixFilePermission> plainFile, plainDir;

    @BeforeEach
    void referencePermissions() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "a POSIX file system");
        plainFile = Files.getPosixFilePermissions(Files.createFile(tmp.resolve("plain-file")));
        plainDir = Files.getPosixFilePermissions(Files.createDirectory(tmp.resolve("plain-dir")));
        assumeTrue(plainFile.contains(PosixFilePermission.OTHERS_READ), "a umask that lets others read (022): "
                + PosixFilePermissions.toString(plainFile));
        TaskSource.use(FakeTasks.source());
    }

    @AfterEach
    void restoreRegistry() {
        TaskSource.use(null);
    }

    @Test
    void atomicFilesWritesAFileWithOrdinaryPermissions() throws IOException {
        Path f = tmp.resolve("out/result.json");
        AtomicFiles.write(f, "{}");
        assertEquals(PosixFilePermissions.toString(plainFile), PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void everyFileAndDirectoryOfDiscoverRocAndCompileIsReadableByOthers() throws IOException {
        Path discover = tmp.resolve("discover");
        CliRun d = CliRun.run("discover", "--task", FakeTasks.NAME, "--threshold", "0.01", "--out", discover.toString());
        assertEquals(0, d.code(), d.err());
        Path roc = tmp.resolve("roc");
        CliRun r = CliRun.run("roc", "--task", FakeTasks.NAME, "--methods", "acdc", "--thresholds", "0.01,0.1", "--out", roc.toString());
        assertEquals(0, r.code(), r.err());
        Path compiled = tmp.resolve("compiled");
        CliRun c = CliRun.run("compile", "--program", "reverse", "--vocab", "1,2,3", "--max-seq-len", "5", "--out", compiled.toString());
        assertEquals(0, c.code(), c.err());
        for (Path dir : new Path[] {discover, roc, compiled}) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.toList()) {
                    if (p.getFileName().toString().endsWith(".lock")) continue;   // a lock is no result
                    Set<PosixFilePermission> expected = Files.isDirectory(p) ? plainDir : plainFile;
                    assertEquals(PosixFilePermissions.toString(expected), PosixFilePermissions.toString(Files.getPosixFilePermissions(p)),
                            p.toString());
                }
            }
        }
    }
}
