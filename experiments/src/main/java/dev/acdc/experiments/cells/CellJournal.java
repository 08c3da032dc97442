package dev.acdc.experiments.cells;

import dev.acdc.experiments.BadInputException;
import dev.acdc.experiments.discover.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Each finished cell's result, written as it completes into a hidden directory beside the output directory
 * ({@code .NAME.cells/}, next to the run's lock {@code .NAME.lock}), so that a run killed halfway, or one whose
 * executors were lost, is continued with {@code --resume}: the cells found there are not computed again.
 *
 * <p>The directory's {@value #HEADER} holds the run's signature (its settings and its list of cells): a resume whose
 * signature differs is refused, because its cells would be mixed with another run's. A run without {@code --resume}
 * starts over. After a run whose every cell finished and whose report is in place, the directory is removed.
 */
public final class CellJournal {

    static final String HEADER = "run.txt";

    private final Path dir;
    private final Map<String, String> finished;

    private CellJournal(Path dir, Map<String, String> finished) {
        this.dir = dir;
        this.finished = finished;
    }

    /** A run's signature: a header naming the command's cells, then each job's description as a value, one per line. */
    public static String signature(String header, List<? extends CellJob> jobs) {
        StringBuilder b = new StringBuilder(header).append('\n');
        for (CellJob j : jobs) b.append(j).append('\n');
        return b.toString();
    }

    /** The journal directory of an output directory. */
    public static Path dirFor(Path target) {
        Path abs = target.toAbsolutePath().normalize();
        return abs.resolveSibling("." + abs.getFileName() + ".cells");
    }

    /**
     * Opens the journal of {@code target} for a run with this signature and these jobs.
     *
     * @param notes one line each for what a person should know (cells resumed, a previous run's cells discarded)
     */
    public static CellJournal open(Path target, String signature, List<? extends CellJob> jobs, boolean resume,
                                   java.util.function.Consumer<String> notes) {
        Path dir = dirFor(target);
        Map<String, String> finished = new LinkedHashMap<>();
        try {
            if (Files.isDirectory(dir)) {
                Path header = dir.resolve(HEADER);
                String previous = Files.exists(header) ? Files.readString(header, StandardCharsets.UTF_8) : "";
                if (resume && !previous.equals(signature)) {
                    throw new BadInputException("--resume: " + dir + " holds the cells of a run with other settings or cells; run"
                            + " without --resume to start over, or give the same command as the run to continue");
                }
                if (resume) {
                    for (CellJob job : jobs) {
                        Path f = dir.resolve(job.fileName() + ".json");
                        if (Files.exists(f)) finished.put(job.fileName(), Files.readString(f, StandardCharsets.UTF_8));
                    }
                    notes.accept("--resume: " + resumed(jobs, finished) + " already finished in " + dir);
                } else {
                    deleteRecursively(dir);
                    notes.accept("note: starting over; the cells of an unfinished previous run in " + dir
                            + " are discarded (give --resume to keep them)");
                }
            } else if (resume) {
                notes.accept("--resume: no cells of a previous run in " + dir + "; computing every cell");
            }
            Files.createDirectories(dir);
            AtomicFiles.write(dir.resolve(HEADER), signature);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the cell journal " + dir + ": " + e.getMessage(), e);
        }
        return new CellJournal(dir, finished);
    }

    /** {@code 2 of 4 cells}, and {@code and 6 of 12 sweep runs} where the run has {@link SweepRun}s. */
    private static String resumed(List<? extends CellJob> jobs, Map<String, String> finished) {
        long runs = jobs.stream().filter(j -> j instanceof SweepRun).count();
        long runsDone = jobs.stream().filter(j -> j instanceof SweepRun && finished.containsKey(j.fileName())).count();
        String cells = (finished.size() - runsDone) + " of " + (jobs.size() - runs) + " cells";
        return runs == 0 ? cells : cells + " and " + runsDone + " of " + runs + " sweep runs";
    }

    /** The results already written for jobs of this run, by {@link CellJob#fileName()}. */
    public Map<String, String> finished() {
        return java.util.Collections.unmodifiableMap(finished);
    }

    /** Writes one job's result (whole or not at all). */
    public void record(CellJob job, String json) {
        AtomicFiles.write(dir.resolve(job.fileName() + ".json"), json);
        finished.put(job.fileName(), json);
    }

    public Path dir() {
        return dir;
    }

    /** Removes the journal: every cell finished and the report that holds them is in place. */
    public void delete() {
        deleteRecursively(dir);
    }

    private static void deleteRecursively(Path d) {
        if (!Files.exists(d)) return;
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the cell journal " + d + ": " + e.getMessage(), e);
        }
    }
}
