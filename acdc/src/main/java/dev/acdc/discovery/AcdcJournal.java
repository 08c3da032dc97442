package dev.acdc.discovery;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only record of ACDC's decisions, one line per tested edge, flushed as it goes, so a killed
 * run can resume: the decisions already made are replayed without evaluation, in the same order, and
 * the run continues from the first edge not in the journal.
 *
 * <p>Format: a header line {@code # acdc-journal <fingerprint>} naming the task and options, then
 * {@code edgeId removed(0|1) newMetric effect} per tested edge.
 */
public final class AcdcJournal implements AutoCloseable {

    /** One recorded decision. */
    public record Decision(int edgeId, boolean removed, double newMetric, double effect) {}

    private final Path file;
    private final List<Decision> replay;
    private int replayed;
    private BufferedWriter out;

    private AcdcJournal(Path file, List<Decision> replay) {
        this.file = file;
        this.replay = replay;
    }

    /** A journal that records nothing (runs that need no resume). */
    public static AcdcJournal none() {
        return new AcdcJournal(null, List.of());
    }

    /**
     * Opens a journal. With {@code resume}, an existing file must carry the same fingerprint and its
     * decisions are replayed; without, any existing file is replaced.
     */
    public static AcdcJournal open(Path file, String fingerprint, boolean resume) {
        List<Decision> replay = new ArrayList<>();
        try {
            if (resume && Files.exists(file)) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (lines.isEmpty() || !lines.get(0).equals(header(fingerprint))) {
                    throw new IllegalArgumentException("journal " + file + " belongs to another run: expected header '"
                            + header(fingerprint) + "', found '" + (lines.isEmpty() ? "" : lines.get(0)) + "'");
                }
                for (int i = 1; i < lines.size(); i++) {
                    String[] f = lines.get(i).trim().split(" ");
                    if (f.length != 4) break;   // a line cut by the kill: decided again
                    replay.add(new Decision(Integer.parseInt(f[0]), f[1].equals("1"), Double.parseDouble(f[2]),
                            Double.parseDouble(f[3])));
                }
            }
            AcdcJournal j = new AcdcJournal(file, replay);
            Files.createDirectories(file.toAbsolutePath().getParent());
            // rewrite header and the replayable lines, dropping any torn tail
            j.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            j.out.write(header(fingerprint));
            j.out.newLine();
            for (Decision d : replay) j.writeLine(d);
            j.out.flush();
            return j;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open ACDC journal " + file + ": " + e.getMessage(), e);
        }
    }

    private static String header(String fingerprint) {
        return "# acdc-journal " + fingerprint;
    }

    /** The next replayed decision for this edge, or null when the journal has no more. */
    Decision nextReplay(int edgeId) {
        if (replayed >= replay.size()) return null;
        Decision d = replay.get(replayed);
        if (d.edgeId() != edgeId) {
            throw new IllegalStateException("journal " + file + " decision " + replayed + " is for edge " + d.edgeId()
                    + " but this run tests edge " + edgeId + " next; the journal belongs to another run");
        }
        replayed++;
        return d;
    }

    int replayedCount() {
        return replayed;
    }

    void record(Decision d) {
        if (out == null) return;
        try {
            writeLine(d);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ACDC journal " + file + ": " + e.getMessage(), e);
        }
    }

    private void writeLine(Decision d) throws IOException {
        out.write(d.edgeId() + " " + (d.removed() ? 1 : 0) + " " + d.newMetric() + " " + d.effect());
        out.newLine();
    }

    @Override
    public void close() {
        if (out == null) return;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
