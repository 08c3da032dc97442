package dev.acdc.experiments;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long command on stderr, with the elapsed time and an estimate of the time left (linear in the steps
 * done: a rough guide when steps differ in cost).
 *
 * <p>On a terminal the line is redrawn in place at every update. Otherwise (stderr redirected to a file or a pipe,
 * a batch job's log) it prints plain lines: the first update, the first with an estimate (a step finished), then at
 * most one every {@link #PLAIN_INTERVAL_SECONDS} seconds, and the end; a log gains a few lines a minute however fast
 * the updates come.
 *
 * <p>{@link #println} prints a line of its own (a result) without tearing a redrawn line.
 */
public final class Progress {

    /** Plain mode prints at most one progress line per this many seconds (besides the first and the last). */
    public static final long PLAIN_INTERVAL_SECONDS = 10;

    private final PrintWriter err;
    private final String label;
    private final boolean tty;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final long start;
    private long total;
    private long done;
    private long shown;         // the count shown: the steps done, or the number of the step under way
    private String detail = "";
    private String sub = "";
    private long lastPrinted;
    private boolean printed;
    private boolean printedEstimate;
    private int drawnWidth;     // the width of the line drawn last on a terminal; 0: none drawn
    private boolean finished;

    /**
     * @param label what is counted, e.g. {@code "discover: receivers"} or {@code "reproduce: cell"}
     * @param total the number of steps
     */
    public static Progress start(PrintWriter err, String label, long total) {
        return new Progress(err, label, total, System.console() != null, PLAIN_INTERVAL_SECONDS * 1_000_000_000L, System::nanoTime);
    }

    Progress(PrintWriter err, String label, long total, boolean tty, long intervalNanos, LongSupplier clock) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.tty = tty;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /** Whether the line is redrawn in place (a terminal) rather than printed as plain lines. */
    public boolean redraws() {
        return tty;
    }

    /** {@code done} of the total steps finished; {@code detail} follows the count (may be empty). */
    public synchronized void update(long done, String detail) {
        this.done = done;
        this.shown = done;
        this.detail = detail == null ? "" : detail;
        this.sub = "";
        show();
    }

    /**
     * Step {@code number} (from 1) begins, named {@code name}: shown as {@code number/total name}, with the time left
     * estimated from the {@code number − 1} steps finished.
     */
    public synchronized void begin(long number, String name) {
        this.done = number - 1;
        this.shown = number;
        this.detail = name == null ? "" : name;
        this.sub = "";
        show();
    }

    /** What the current step reports of itself (e.g. ACDC's finished thresholds), after its name. */
    public synchronized void detail(String sub) {
        this.sub = sub == null ? "" : sub;
        show();
    }

    /** The total changed (steps found to be more or fewer than thought). */
    public synchronized void total(long total) {
        this.total = total;
    }

    /** Prints a line of its own, below the progress line (which a terminal gets back at the next update). */
    public synchronized void println(String line) {
        clear();
        err.println(line);
        err.flush();
    }

    /** The last line: the total time, and {@code detail} (may be empty). */
    public synchronized void finish(String detail) {
        if (finished) return;
        finished = true;
        clear();
        err.println(label + " done: " + total + "/" + total + (detail == null || detail.isEmpty() ? "" : ", " + detail)
                + ", elapsed " + duration(clock.getAsLong() - start));
        err.flush();
    }

    private void show() {
        long now = clock.getAsLong();
        String line = line(now);
        if (tty) {
            err.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())));
            drawnWidth = line.length();
            err.flush();
        } else if (!printed || (!printedEstimate && done > 0) || now - lastPrinted >= intervalNanos) {
            err.println(line);
            err.flush();
            printed = true;
            printedEstimate |= done > 0;
            lastPrinted = now;
        }
    }

    private void clear() {
        if (tty && drawnWidth > 0) {
            err.print("\r" + " ".repeat(drawnWidth) + "\r");
            drawnWidth = 0;
        }
    }

    /** The progress line at time {@code now}: label, count, detail, elapsed time, estimate of the time left. */
    String line(long now) {
        long elapsed = now - start;
        String eta = done <= 0 || total <= 0 ? "?" : duration((long) ((double) elapsed * Math.max(0, total - done) / done));
        return String.format(Locale.ROOT, "%s %d/%d%s%s, elapsed %s, ETA %s", label, shown, total, detail.isEmpty() ? "" : " " + detail,
                sub.isEmpty() ? "" : " · " + sub, duration(elapsed), eta);
    }

    /** m:ss, or h:mm:ss from an hour on. */
    static String duration(long nanos) {
        long s = Math.max(0, Math.round(nanos / 1e9));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
