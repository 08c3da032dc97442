package dev.acdc.patching.load;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar on a terminal stream: {@code model.safetensors [=====>    ]  45%  246.3/548.1 MB  12.3 MB/s}. */
final class DownloadProgress {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;

    /** @param total bytes expected, or -1 when unknown */
    DownloadProgress(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = total;
    }

    void update(long done) {
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS) return;
        lastDraw = now;
        draw(done);
    }

    void finish(long done) {
        draw(done);
        out.println();
        out.flush();
    }

    private void draw(long done) {
        double secs = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
        String rate = String.format(Locale.ROOT, "%.1f MB/s", done / 1e6 / secs);
        String line;
        if (total > 0) {
            double f = Math.min(1, (double) done / total);
            int filled = (int) (f * WIDTH);
            String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
            line = String.format(Locale.ROOT, "%s [%s] %3d%%  %.1f/%.1f MB  %s", label, bar, (int) (f * 100), done / 1e6, total / 1e6, rate);
        } else {
            line = String.format(Locale.ROOT, "%s  %.1f MB  %s", label, done / 1e6, rate);
        }
        out.print("\r" + line);
        out.flush();
    }
}
