package dev.acdc.experiments.output;

import dev.acdc.experiments.BadInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A command's output directory: checked before any computation, written as a set.
 *
 * <p>{@link #stage} serves commands whose directory holds nothing but their output set ({@code roc},
 * {@code reproduce}, {@code train}): the files go into a hidden staging directory beside the target, which replaces
 * the target by renames when the run succeeds; a run that fails leaves the target as it was. A lock file beside the
 * target ({@code .NAME.lock}) keeps a second run out for the whole run. {@link #commitFiles} serves {@code discover},
 * whose run directory also holds its journal and lock: the files are staged inside it and moved into place with the
 * file that names the run ({@code circuit.json}) last, after the previous one is removed, so a directory never holds
 * a {@code circuit.json} beside pictures of another run.
 */
public final class OutputDirectory {

    private OutputDirectory() {}

    /**
     * Checks {@code --out} before anything is computed: a non-empty path, not a file, and either absent, empty, or
     * holding only files that {@code ownFile} recognises as a previous output of the same command.
     *
     * @param ownFile null when only a new or empty directory will do
     * @return the directory as an absolute, normalised path
     */
    public static Path check(String flag, Path dir, Predicate<String> ownFile, String what) {
        if (dir.toString().isBlank()) throw new BadInputException(flag + " '': expected a directory path");
        Path abs = dir.toAbsolutePath().normalize();
        if (abs.getParent() == null) throw new BadInputException(flag + " " + dir + ": expected a directory below the file system root");
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new BadInputException(flag + " " + dir + ": exists and is not a directory");
        }
        if (Files.isDirectory(abs)) {
            List<String> foreign = new ArrayList<>();
            try (Stream<Path> s = Files.list(abs)) {
                s.map(p -> p.getFileName().toString()).filter(n -> ownFile == null || !ownFile.test(n)).sorted().forEach(foreign::add);
            } catch (IOException e) {
                throw new BadInputException(flag + " " + dir + ": cannot list it (" + e.getMessage() + ")");
            }
            if (!foreign.isEmpty()) {
                throw new BadInputException(flag + " " + dir + ": " + (ownFile == null ? "already exists and is not an empty directory"
                        : "holds files that are not " + what + " (" + String.join(", ", foreign.subList(0, Math.min(3, foreign.size())))
                        + (foreign.size() > 3 ? ", …" : "") + ")") + "; choose a new directory");
            }
            if (!Files.isWritable(abs)) throw new BadInputException(flag + " " + dir + ": is not writable");
        } else {
            Path existing = abs.getParent();
            while (existing != null && !Files.exists(existing)) existing = existing.getParent();
            if (existing == null || !Files.isDirectory(existing)) {
                throw new BadInputException(flag + " " + dir + ": cannot be created (" + existing + " is not a directory)");
            }
            if (!Files.isWritable(existing)) throw new BadInputException(flag + " " + dir + ": cannot be created in " + existing
                    + " (not writable)");
        }
        return abs;
    }

    /**
     * Checks {@code dir} ({@link #check}), takes its lock and opens a staging directory beside it. Close it (always);
     * {@link Staging#commit} first when the run succeeded.
     */
    public static Staging stage(String flag, Path dir, Predicate<String> ownFile, String what, String command) {
        Path target = check(flag, dir, ownFile, what);
        Path parent = target.getParent();
        String name = target.getFileName().toString();
        RunLock lock = RunLock.acquire(parent.resolve("." + name + ".lock"), flag + " " + dir, command);
        try {
            // the lock is ours: no live run owns what a killed one left; then check again, a previous holder may have committed since
            recoverLeftovers(parent, name, target);
            check(flag, dir, ownFile, what);
            Path staging = parent.resolve("." + name + ".staging-" + UUID.randomUUID());
            Files.createDirectories(staging);
            return new Staging(flag, target, staging, lock);
        } catch (IOException | RuntimeException e) {
            lock.close();
            if (e instanceof IOException io) throw new UncheckedIOException("cannot create a staging directory beside " + target + ": " + io.getMessage(), io);
            throw (RuntimeException) e;
        }
    }

    /**
     * Puts right what runs killed before they closed left beside the target (called under the target's lock, so no live
     * run owns any of it): their staging directories are removed; a previous result renamed aside by a commit that was
     * killed before the new set moved in is moved back when the target is missing (a commit that never finished is a
     * run that failed, which leaves the target as it was), and removed when the target is in place. Only names this
     * class makes for this target count: {@code .NAME.staging-UUID} and {@code .NAME.previous-UUID}.
     */
    private static void recoverLeftovers(Path parent, String name, Path target) throws IOException {
        List<Path> staging = new ArrayList<>(), aside = new ArrayList<>();
        try (Stream<Path> s = Files.list(parent)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (isUuidAfter(n, "." + name + ".staging-")) staging.add(p);
                if (isUuidAfter(n, "." + name + ".previous-")) aside.add(p);
            }
        }
        for (Path p : staging) deleteRecursively(p);
        if (!Files.exists(target) && aside.size() == 1) {
            move(aside.get(0), target);
        } else if (Files.exists(target)) {
            for (Path p : aside) deleteRecursively(p);
        }
    }

    private static boolean isUuidAfter(String fileName, String prefix) {
        if (!fileName.startsWith(prefix)) return false;
        try {
            String rest = fileName.substring(prefix.length());
            return UUID.fromString(rest).toString().equals(rest);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A staging directory beside the target; {@link #commit} puts it in the target's place. */
    public static final class Staging implements AutoCloseable {
        private final String flag;
        private final Path target;
        private final Path staging;
        private final RunLock lock;
        private boolean committed;

        private Staging(String flag, Path target, Path staging, RunLock lock) {
            this.flag = flag;
            this.target = target;
            this.staging = staging;
            this.lock = lock;
        }

        /** Where to write the output set. */
        public Path dir() {
            return staging;
        }

        /** The directory the set will appear in. */
        public Path target() {
            return target;
        }

        /** The previous holder of a stale lock this run took over, or null. */
        public String staleHolder() {
            return lock.staleHolder();
        }

        /**
         * Replaces the target with the staged set: an absent or empty target is replaced by one rename; a previous
         * output set is first renamed aside, then deleted once the new set is in place.
         */
        public void commit() {
            try {
                Path aside = null;
                if (Files.isDirectory(target)) {
                    if (isEmpty(target)) {
                        Files.delete(target);
                    } else {
                        aside = target.resolveSibling("." + target.getFileName() + ".previous-" + UUID.randomUUID());
                        move(target, aside);
                    }
                }
                move(staging, target);
                committed = true;
                if (aside != null) deleteRecursively(aside);
            } catch (IOException e) {
                throw new UncheckedIOException(flag + ": cannot move the finished output into " + target + ": " + e.getMessage(), e);
            }
        }

        /** Deletes the staging directory unless committed, and releases the lock. */
        @Override
        public void close() {
            try {
                if (!committed) deleteRecursively(staging);
            } finally {
                lock.close();
            }
        }
    }

    /**
     * Writes {@code files} into {@code dir} (under the lock the caller holds on it), which holds other state of the run
     * (its journal, its lock): staging directories a killed run left there are removed, then each file is
     * written into a staging directory inside {@code dir}, then the previous copy of the last file is deleted, then
     * the files are moved into place in order, the last one last.
     *
     * @param files file name → bytes, in the order they are to appear; the last one marks a complete set
     */
    public static void commitFiles(Path dir, Map<String, byte[]> files) {
        Path staging = dir.resolve(".staging-" + UUID.randomUUID());
        try {
            // the caller holds the run directory's lock: a staging directory already there is a killed run's
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.filter(p -> isUuidAfter(p.getFileName().toString(), ".staging-")).toList()) deleteRecursively(p);
            }
            Files.createDirectories(staging);
            String last = null;
            for (var e : files.entrySet()) {
                Files.write(staging.resolve(e.getKey()), e.getValue());
                last = e.getKey();
            }
            if (last != null) Files.deleteIfExists(dir.resolve(last));
            for (String name : files.keySet()) move(staging.resolve(name), dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the output of " + dir + ": " + e.getMessage(), e);
        } finally {
            deleteRecursively(staging);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // leftovers of a staging directory are hidden and harmless; the run's own error is the one to report
        }
    }
}
