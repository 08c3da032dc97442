package dev.acdc.patching.load;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Download progress on stderr, with the elapsed time and an estimate of the time left (linear in the bytes).
 *
 * <p>On a terminal, one bar redrawn in place ({@code model.safetensors [=====>    ]  45%  246.3/548.1 MB  12.3 MB/s,
 * elapsed 0:20, ETA 0:24}). Redirected to a file or a pipe, plain lines in the way the experiments' {@code Progress}
 * prints them (that class lives in a module above this one): the first, then at most one every
 * {@value #PLAIN_INTERVAL_SECONDS} s, and the end, so a log of a long download gains a few lines a minute.
 */
final class DownloadProgress {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;
    static final long PLAIN_INTERVAL_SECONDS = 10;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final LongSupplier clock;
    private final long start;
    private long lastDraw;
    private boolean drawn;

    /** @param total bytes expected, or -1 when unknown */
    DownloadProgress(PrintStream out, String label, long total, boolean terminal) {
        this(out, label, total, terminal, System::nanoTime);
    }

    DownloadProgress(PrintStream out, String label, long total, boolean terminal, LongSupplier clock) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.terminal = terminal;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    void update(long done) {
        long now = clock.getAsLong();
        long interval = terminal ? REDRAW_NANOS : PLAIN_INTERVAL_SECONDS * 1_000_000_000L;
        if (drawn && now - lastDraw < interval) return;
        lastDraw = now;
        drawn = true;
        draw(done, now);
    }

    void finish(long done) {
        draw(done, clock.getAsLong());
        if (terminal) out.println();
        out.flush();
    }

    private void draw(long done, long now) {
        long elapsed = now - start;
        double secs = Math.max(1e-3, elapsed / 1e9);
        String rate = String.format(Locale.ROOT, "%.1f MB/s", done / 1e6 / secs);
        String eta = total > 0 && done > 0 ? duration((long) (elapsed * (double) Math.max(0, total - done) / done)) : "?";
        String times = ", elapsed " + duration(elapsed) + ", ETA " + eta;
        String line;
        if (total > 0) {
            double f = Math.min(1, (double) done / total);
            int filled = (int) (f * WIDTH);
            String bar = terminal ? " [" + "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "") + "]" : "";
            line = String.format(Locale.ROOT, "%s%s %3d%%  %.1f/%.1f MB  %s%s", label, bar, (int) (f * 100), done / 1e6, total / 1e6, rate, times);
        } else {
            line = String.format(Locale.ROOT, "%s  %.1f MB  %s, elapsed %s", label, done / 1e6, rate, duration(elapsed));
        }
        if (terminal) {
            out.print("\r" + line);
        } else {
            out.println("download " + line);
        }
        out.flush();
    }

    /** m:ss, or h:mm:ss from an hour on (as the experiments' progress lines). */
    static String duration(long nanos) {
        long s = Math.max(0, Math.round(nanos / 1e9));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
