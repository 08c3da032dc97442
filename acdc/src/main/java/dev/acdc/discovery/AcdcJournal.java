package dev.acdc.discovery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * A record of ACDC's decisions, one line per tested edge, so a killed run can resume: the decisions already made are
 * replayed without evaluation, in the same order, and the run continues from the first edge not in the journal.
 *
 * <p>Format ({@value #VERSION}):
 * <pre>
 * # acdc-journal v2 {"task":"induction","model":"sha256:…",…}      the run's {@link RunDescription}
 * 17 1 0.00123 -0.00004 9f0c2d1a                                     edgeId removed(0|1) newMetric effect checksum
 * </pre>
 * The checksum is a CRC-32C over the header and the line's number and fields, so a line that a kill cut short, a
 * number cut to fewer digits, a line copied from elsewhere or a flipped field fails it. Replay stops at the first line
 * that fails (or holds a non-finite number) and the run recomputes from there.
 *
 * <p>The file is never rewritten in place. Opening writes the header and the lines kept for replay to a temporary file
 * beside the journal, forces it to disk and renames it over the journal, so a kill at any moment leaves either the old
 * journal or the new one; the run then appends one line per decision, written through to the operating system at once
 * (a kill loses nothing already written). One process at a time may use a journal: the caller holds the run
 * directory's lock.
 */
public final class AcdcJournal implements AutoCloseable {

    /** The format this class writes and reads; older journals are refused with a message. */
    public static final String VERSION = "v2";
    static final String MAGIC = "# acdc-journal ";
    private static final String HEADER_PREFIX = MAGIC + VERSION + " ";

    /** One recorded decision. */
    public record Decision(int edgeId, boolean removed, double newMetric, double effect) {}

    /**
     * The journal on disk belongs to another run, or contradicts this run's graph: the message is one line that names
     * the field or the line and what was expected and found.
     */
    public static final class MismatchException extends IllegalArgumentException {
        public MismatchException(String message) {
            super(message);
        }
    }

    private final Path file;
    private final String header;
    private final List<Decision> replay;
    private final int droppedLine;     // 1-based line number where replay stopped, 0 when every line replayed
    private final String droppedReason;
    private int replayed;
    private int written;
    private FileChannel out;

    private AcdcJournal(Path file, String header, List<Decision> replay, int droppedLine, String droppedReason) {
        this.file = file;
        this.header = header;
        this.replay = replay;
        this.droppedLine = droppedLine;
        this.droppedReason = droppedReason;
    }

    /** A journal that records nothing (runs that need no resume). */
    public static AcdcJournal none() {
        return new AcdcJournal(null, "", List.of(), 0, null);
    }

    /**
     * Opens a journal for a run. With {@code resume}, an existing file must describe the same run (else a
     * {@link MismatchException} naming the first field that differs) and its valid decisions are replayed; without,
     * or when there is no file, the run starts from nothing. Either way the journal on disk is then replaced, by an
     * atomic rename, with the header and the decisions kept.
     */
    public static AcdcJournal open(Path file, RunDescription run, boolean resume) {
        String header = HEADER_PREFIX + run.toJson();
        List<Decision> replay = new ArrayList<>();
        int dropped = 0;
        String reason = null;
        if (resume) {
            List<String> lines = readLines(file);
            if (lines.size() == 1 && !endsWithNewline(file)) {
                // cut inside the header: nothing was decided yet (the header is written whole by a rename, so only damage
                // on disk can do this); start over
                dropped = 1;
                reason = "is incomplete (the file ends inside it)";
            } else if (!lines.isEmpty()) {
                checkHeader(file, lines.get(0), run);
                for (int i = 1; i < lines.size(); i++) {
                    String problem = problem(header, i, lines.get(i));
                    if (problem != null) {
                        // a torn or corrupt line: it and everything after it are decided again
                        dropped = i + 1;
                        reason = problem;
                        break;
                    }
                    replay.add(parse(lines.get(i)));
                }
            }
        }
        AcdcJournal j = new AcdcJournal(file, header, replay, dropped, reason);
        j.replaceOnDisk();
        return j;
    }

    /** How many decisions will be replayed. */
    public int replayable() {
        return replay.size();
    }

    /** Where replay stopped and why ("line 12: checksum …"), or null when every line was valid. */
    public String droppedTail() {
        return droppedLine == 0 ? null : "line " + droppedLine + " " + droppedReason;
    }

    /**
     * The next replayed decision, which must be for {@code edgeId}, or null when the journal has no more.
     *
     * @throws MismatchException when the journal's next decision is for another edge
     */
    Decision nextReplay(int edgeId, java.util.function.IntFunction<String> edgeName) {
        if (replayed >= replay.size()) return null;
        Decision d = replay.get(replayed);
        if (d.edgeId() != edgeId) {
            throw new MismatchException("journal " + file + " line " + (replayed + 2) + " decides edge " + d.edgeId() + " ("
                    + edgeName.apply(d.edgeId()) + ") but this run tests edge " + edgeId + " (" + edgeName.apply(edgeId)
                    + ") there; the journal contradicts this graph: run without --resume to start over");
        }
        replayed++;
        return d;
    }

    /** The 1-based line of the decision last returned by {@link #nextReplay}. */
    int lineOfLastReplay() {
        return replayed + 1;
    }

    Path file() {
        return file;
    }

    /** Decisions in the journal that the run never asked for: a journal that contradicts the run. */
    int unreplayed() {
        return replay.size() - replayed;
    }

    void record(Decision d) {
        if (out == null) return;
        try {
            byte[] line = (body(d) + " " + checksum(header, written + 1, body(d)) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) out.write(b);
            written++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ACDC journal " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (out == null) return;
        try {
            out.force(false);
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close ACDC journal " + file + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ file handling

    private static List<String> readLines(Path file) {
        try {
            // a torn tail may end in the middle of a UTF-8 sequence or hold NUL bytes: decode leniently, the
            // checksum decides what is valid
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
            return lines;
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ACDC journal " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean endsWithNewline(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() == 0) return true;
            ByteBuffer last = ByteBuffer.allocate(1);
            ch.read(last, ch.size() - 1);
            return last.get(0) == '\n';
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ACDC journal " + file + ": " + e.getMessage(), e);
        }
    }

    private static void checkHeader(Path file, String line, RunDescription run) {
        if (!line.startsWith(MAGIC)) {
            throw new MismatchException("journal " + file + " is not an ACDC journal (its first line is '" + abbreviate(line)
                    + "'); run without --resume to start over");
        }
        if (!line.startsWith(HEADER_PREFIX)) {
            throw new MismatchException("journal " + file + " has an older format than " + VERSION
                    + " (it records no run description, so it cannot be checked against this run); run without --resume to start over");
        }
        RunDescription theirs;
        try {
            theirs = RunDescription.fromJson(line.substring(HEADER_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new MismatchException("journal " + file + " has an unreadable header (" + e.getMessage()
                    + "); run without --resume to start over");
        }
        run.firstDifference(theirs).ifPresent(d -> {
            throw new MismatchException("--resume: journal " + file + " is from another run: its " + d.field() + " is "
                    + (d.theirs() == null ? "not recorded" : "'" + abbreviate(d.theirs()) + "'") + ", this run's is "
                    + (d.mine() == null ? "not recorded" : "'" + abbreviate(d.mine()) + "'")
                    + "; run with the journal's settings, or without --resume to start over");
        });
    }

    /** Writes header and replayed lines beside the journal, forces them to disk, renames over it; then appends. */
    private void replaceOnDisk() {
        if (file == null) return;
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            StringBuilder text = new StringBuilder(header).append('\n');
            for (Decision d : replay) {
                written++;
                text.append(body(d)).append(' ').append(checksum(header, written, body(d))).append('\n');
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory(dir);
            out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error is the one to report
            }
            throw new UncheckedIOException("cannot write ACDC journal " + file + ": " + e.getMessage(), e);
        }
    }

    /** Makes the rename durable where the platform allows opening a directory (Linux does). */
    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can sync a directory; the rename itself is still atomic
        }
    }

    // ------------------------------------------------------------------ lines

    private static String body(Decision d) {
        return d.edgeId() + " " + (d.removed() ? 1 : 0) + " " + d.newMetric() + " " + d.effect();
    }

    /**
     * CRC-32C of the header line, the line's number among the decisions (1-based) and its fields
     * ({@code edgeId removed newMetric effect}), as 8 hex digits. Public so that tests can write lines that pass it.
     */
    public static String checksum(String header, int number, String body) {
        CRC32C crc = new CRC32C();
        crc.update((header + "\n" + number + " " + body).getBytes(StandardCharsets.UTF_8));
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }

    /** Why line {@code number} (0-based, header = 0) cannot be replayed, or null when it can. */
    private static String problem(String header, int number, String line) {
        String[] f = line.split(" ", -1);
        if (f.length != 5) return "has " + f.length + " fields, expected 5 (edge, removed, new metric, effect, checksum)";
        String body = f[0] + " " + f[1] + " " + f[2] + " " + f[3];
        if (!checksum(header, number, body).equals(f[4])) return "fails its checksum (torn, cut or edited)";
        try {
            Decision d = parse(line);
            if (d.edgeId() < 0) return "names edge " + d.edgeId();
            if (!Double.isFinite(d.newMetric()) || !Double.isFinite(d.effect())) return "holds a non-finite number";
        } catch (NumberFormatException e) {
            return "holds a malformed number";
        }
        if (!f[1].equals("0") && !f[1].equals("1")) return "has decision '" + f[1] + "', expected 0 or 1";
        return null;
    }

    private static Decision parse(String line) {
        String[] f = line.split(" ");
        return new Decision(Integer.parseInt(f[0]), f[1].equals("1"), Double.parseDouble(f[2]), Double.parseDouble(f[3]));
    }

    private static String abbreviate(String s) {
        String oneLine = s.replaceAll("[\\p{Cntrl}]", "?");
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
    }
}
