package dev.acdc.experiments.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak memory of a stretch of work: the process's resident set (Linux {@code VmHWM}, reset through
 * {@code /proc/self/clear_refs}; it includes PyTorch's native allocations) and the JVM heap (sum of the heap
 * pools' peaks). Where /proc is missing, RSS figures are NaN.
 */
final class MemoryProbe {
    private MemoryProbe() {}

    /** Starts a new peak window. */
    static void reset() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
        }
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // no peak reset: the RSS peak then covers the whole process so far, which still bounds the suite's
        }
    }

    static double peakRssMb() {
        return statusField("VmHWM:");
    }

    static double rssMb() {
        return statusField("VmRSS:");
    }

    static double peakHeapMb() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) sum += p.getPeakUsage().getUsed();
        }
        return sum / (1024.0 * 1024.0);
    }

    private static double statusField(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]) / 1024.0;
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
