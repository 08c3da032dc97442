package dev.acdc.patching.load;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class DownloadProgressTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aRedirectedDownloadPrintsPlainLinesWithAnEstimateAtMostEveryTenSeconds() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(50 * S);
        DownloadProgress p = new DownloadProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), "model.safetensors",
                100_000_000, false, now::get);
        now.addAndGet(2 * S);
        p.update(10_000_000);                  // the first: printed (10 MB in 2 s: 90 MB left, about 18 s)
        now.addAndGet(5 * S);
        p.update(30_000_000);                  // 5 s later: not printed
        now.addAndGet(6 * S);
        p.update(50_000_000);                  // 11 s after the first: printed (50 MB in 13 s: 13 s left)
        now.addAndGet(7 * S);
        p.finish(100_000_000);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of(
                "download model.safetensors  10%  10.0/100.0 MB  5.0 MB/s, elapsed 0:02, ETA 0:18",
                "download model.safetensors  50%  50.0/100.0 MB  3.8 MB/s, elapsed 0:13, ETA 0:13",
                "download model.safetensors 100%  100.0/100.0 MB  5.0 MB/s, elapsed 0:20, ETA 0:00"), lines);
    }

    @Test
    void aTerminalGetsOneRedrawnBarEndedByANewline() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        DownloadProgress p = new DownloadProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), "m", 1000, true, now::get);
        now.addAndGet(S);
        p.update(500);
        p.finish(1000);
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.startsWith("\rm [===============>              ]  50%"), s);
        assertTrue(s.contains("ETA 0:01"), s);
        assertEquals(1, s.chars().filter(c -> c == '\n').count(), s);
    }
}
