package dev.acdc.experiments;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class ProgressTest {
    private static final long S = 1_000_000_000L;

    @Test
    void plainLinesAreTheFirstTheFirstWithAnEstimateOnePerIntervalAndTheEnd() {
        StringWriter out = new StringWriter();
        AtomicLong now = new AtomicLong(100 * S);
        Progress p = new Progress(new PrintWriter(out), "reproduce: cell", 4, false, 10 * S, now::get);
        p.begin(1, "tracr-reverse l2 resample acdc");
        now.addAndGet(S);
        p.detail("acdc τ=0.1 (1/3): 5 edges");   // within the interval, no estimate yet: not printed
        now.addAndGet(S);
        p.begin(2, "tracr-reverse l2 resample sp");   // one cell done in 2 s: 3 left, about 6 s
        now.addAndGet(S);
        p.begin(3, "tracr-reverse l2 resample hisp");   // within the interval: not printed
        now.addAndGet(S);
        now.addAndGet(9 * S);
        p.detail("still going");   // 11 s after the last line: printed (2 cells done in 13 s: 2 left, about 13 s)
        p.finish("4 cells");
        List<String> lines = out.toString().lines().toList();
        assertEquals(List.of(
                "reproduce: cell 1/4 tracr-reverse l2 resample acdc, elapsed 0:00, ETA ?",
                "reproduce: cell 2/4 tracr-reverse l2 resample sp, elapsed 0:02, ETA 0:06",
                "reproduce: cell 3/4 tracr-reverse l2 resample hisp · still going, elapsed 0:13, ETA 0:13",
                "reproduce: cell done: 4/4, 4 cells, elapsed 0:13"), lines);
    }

    @Test
    void aTerminalGetsOneRedrawnLineAndResultLinesBetween() {
        StringWriter out = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        Progress p = new Progress(new PrintWriter(out), "discover: receivers", 10, true, 10 * S, now::get);
        p.update(1, "(edges kept 3, tested 4)");
        now.addAndGet(S);
        p.update(2, "(edges kept 3, tested 9)");
        p.println("a result");
        p.finish("");
        String s = out.toString();
        assertTrue(s.startsWith("\rdiscover: receivers 1/10 (edges kept 3, tested 4), elapsed 0:00, ETA 0:00"), s);
        assertTrue(s.contains("\rdiscover: receivers 2/10 (edges kept 3, tested 9), elapsed 0:01, ETA 0:04"), s);
        assertEquals(2, s.chars().filter(c -> c == '\n').count(), "only the result and the end end a line: " + s);
        assertTrue(s.contains("\ra result"), "the progress line is cleared first: " + s);
    }

    @Test
    void aMethodsOwnStepsFollowTheCellOnThePlainLineOncePerInterval() {
        StringWriter out = new StringWriter();
        AtomicLong now = new AtomicLong(0);
        Progress p = new Progress(new PrintWriter(out), "roc: method", 2, false, 10 * S, now::get);
        p.begin(1, "sp");
        for (int epoch = 150; epoch <= 3000; epoch += 150) {   // SP's epoch reports, 1 s apart
            now.addAndGet(S);
            p.detail("sp λ=0.00100 (1/11) epoch " + epoch + "/3000");
        }
        List<String> lines = out.toString().lines().toList();
        assertEquals(List.of(
                "roc: method 1/2 sp, elapsed 0:00, ETA ?",
                "roc: method 1/2 sp · sp λ=0.00100 (1/11) epoch 1500/3000, elapsed 0:10, ETA ?",
                "roc: method 1/2 sp · sp λ=0.00100 (1/11) epoch 3000/3000, elapsed 0:20, ETA ?"), lines);
    }

    @Test
    void durationsReadAsMinutesOrHours() {
        assertEquals("0:05", Progress.duration(5 * S));
        assertEquals("12:00", Progress.duration(720 * S));
        assertEquals("1:01:01", Progress.duration(3661 * S));
    }
}
