package dev.acdc.experiments.output;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What a run killed before it closed its staging leaves beside the target (a staging directory; mid-commit, the
 * previous result renamed aside with the target gone) is put right by the next run on that target, which holds the lock
 * and so knows no live run owns it.
 */
class StagingLeftoversTest {

    @TempDir
    Path tmp;

    static final Set<String> OWN = Set.of("roc.csv");

    Path target() {
        return tmp.resolve("out");
    }

    OutputDirectory.Staging stage() {
        return OutputDirectory.stage("--out", target(), OWN::contains, "a previous roc result", "test");
    }

    Set<String> hidden() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    void aKilledRunsStagingDirectoryIsRemovedByTheNextRun() throws Exception {
        Path killed = tmp.resolve(".out.staging-" + UUID.randomUUID());
        Files.createDirectories(killed);
        Files.writeString(killed.resolve("roc.csv"), "half a run");
        try (OutputDirectory.Staging s = stage()) {
            assertFalse(Files.exists(killed), "the killed run's staging directory is gone");
            assertTrue(Files.isDirectory(s.dir()));
        }
        assertEquals(Set.of(), hidden(), "nothing hidden is left beside the target");
    }

    @Test
    void aRunKilledMidCommitGetsThePreviousResultBackInPlace() throws Exception {
        Path aside = tmp.resolve(".out.previous-" + UUID.randomUUID());
        Files.createDirectories(aside);
        Files.writeString(aside.resolve("roc.csv"), "the previous result");
        Path killedStaging = tmp.resolve(".out.staging-" + UUID.randomUUID());
        Files.createDirectories(killedStaging);
        try (OutputDirectory.Staging s = stage()) {
            assertEquals("the previous result", Files.readString(target().resolve("roc.csv")), "restored before the new run");
        }
        assertEquals("the previous result", Files.readString(target().resolve("roc.csv")), "a run that does not commit keeps it");
        assertEquals(Set.of(), hidden());
    }

    @Test
    void anAsideCopyWhoseTargetIsInPlaceIsRemovedAndOtherTargetsLeftoversAreNotTouched() throws Exception {
        Files.createDirectories(target());
        Files.writeString(target().resolve("roc.csv"), "the newer result");
        Path aside = tmp.resolve(".out.previous-" + UUID.randomUUID());
        Files.createDirectories(aside);
        Files.writeString(aside.resolve("roc.csv"), "superseded");
        // the staging directory of another target, "out.staging-x", whose name begins like ours
        Path other = tmp.resolve(".out.staging-x.staging-" + UUID.randomUUID());
        Files.createDirectories(other);
        try (OutputDirectory.Staging s = stage()) {
            assertFalse(Files.exists(aside));
            assertEquals("the newer result", Files.readString(target().resolve("roc.csv")));
        }
        assertEquals(Set.of(other.getFileName().toString()), hidden());
    }

    @Test
    void discoversCommitRemovesAKilledCommitsStagingDirectoryInsideTheRunDirectory() throws Exception {
        Path run = tmp.resolve("run");
        Path killed = run.resolve(".staging-" + UUID.randomUUID());
        Files.createDirectories(killed);
        Files.writeString(killed.resolve("circuit.json"), "half");
        OutputDirectory.commitFiles(run, java.util.Map.of("circuit.json", "{}".getBytes()));
        try (Stream<Path> s = Files.list(run)) {
            assertEquals(java.util.List.of("circuit.json"), s.map(p -> p.getFileName().toString()).toList());
        }
    }
}
