package dev.acdc.patching.load;

import dev.acdc.patching.model.ModelFootprint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * Refuses to load a model whose weights cannot fit, before any tensor is read, instead of dying half-way with an
 * {@link OutOfMemoryError} or the kernel's OOM killer.
 *
 * <p>Two budgets: the Java heap ({@code -Xmx} less what is in use), and the physical memory the machine (or its
 * cgroup) still has, which must hold the native copy of the weights plus whatever the heap still has to grow. The
 * physical figure is Linux's {@code MemAvailable}, lowered to the cgroup's limit less its usage when that is smaller;
 * where neither can be read, only the heap is checked.
 */
public final class MemoryCheck {
    private MemoryCheck() {}

    /**
     * The memory this process can still use.
     *
     * @param heapMax       the heap's ceiling (-Xmx)
     * @param heapUsed      heap in use now
     * @param heapCommitted heap the JVM has already taken from the system
     * @param physical      physical memory still available to the process, if known
     */
    public record Available(long heapMax, long heapUsed, long heapCommitted, OptionalLong physical) {
        public long heapFree() {
            return heapMax - heapUsed;
        }
    }

    /** This JVM's heap and the machine's available memory now. */
    public static Available probe() {
        Runtime rt = Runtime.getRuntime();
        return new Available(rt.maxMemory(), rt.totalMemory() - rt.freeMemory(), rt.totalMemory(), physicalAvailable());
    }

    /**
     * @throws ModelLoadException one line with the footprint, what is available and what to do, when it does not fit
     */
    public static void check(String model, ModelFootprint need, Available have) {
        long heapGrowth = Math.max(0, need.heapBytes() - (have.heapCommitted() - have.heapUsed()));
        boolean heapFits = need.heapBytes() <= have.heapFree();
        boolean physicalFits = have.physical().isEmpty() || need.nativeBytes() + heapGrowth <= have.physical().getAsLong();
        if (heapFits && physicalFits) return;
        String available = ModelFootprint.human(have.heapFree()) + " of Java heap left (-Xmx " + ModelFootprint.human(have.heapMax()) + ")"
                + (have.physical().isPresent() ? " and " + ModelFootprint.human(have.physical().getAsLong()) + " of memory available" : "");
        String fix = heapFits ? "free memory or use a machine with more" : "raise the heap (e.g. ACDC_JAVA_OPTS=-Xmx"
                + Math.max(1, (need.heapBytes() * 5 / 4 + (1L << 30) - 1) >> 30) + "g) if the machine has the memory, or use a larger machine";
        throw new ModelLoadException("model " + model + " (" + String.format(java.util.Locale.ROOT, "%,d", need.parameters())
                + " parameters) needs about " + ModelFootprint.human(need.heapBytes()) + " of Java heap and "
                + ModelFootprint.human(need.nativeBytes()) + " of native memory for its weights; this process has " + available
                + ": " + fix);
    }

    /** MemAvailable, capped by a cgroup (v2 or v1) limit less usage; empty when neither is readable. */
    static OptionalLong physicalAvailable() {
        OptionalLong meminfo = memAvailable(Path.of("/proc/meminfo"));
        OptionalLong cgroup = cgroupAvailable();
        if (meminfo.isEmpty()) return cgroup;
        if (cgroup.isEmpty()) return meminfo;
        return OptionalLong.of(Math.min(meminfo.getAsLong(), cgroup.getAsLong()));
    }

    static OptionalLong memAvailable(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemAvailable:")) {
                    String[] parts = line.split("\\s+");   // MemAvailable:   12345678 kB
                    return OptionalLong.of(Long.parseLong(parts[1]) * 1024);
                }
            }
        } catch (IOException | RuntimeException ex) {
            // not Linux, or an unexpected format: unknown
        }
        return OptionalLong.empty();
    }

    private static OptionalLong cgroupAvailable() {
        for (List<String> pair : List.of(
                List.of("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                List.of("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"))) {
            try {
                String limit = Files.readString(Path.of(pair.get(0))).trim();
                if (limit.equals("max")) continue;
                long l = Long.parseLong(limit), used = Long.parseLong(Files.readString(Path.of(pair.get(1))).trim());
                if (l >= 1L << 60) continue;   // cgroup v1's "no limit" is a huge number
                return OptionalLong.of(Math.max(0, l - used));
            } catch (IOException | RuntimeException ex) {
                // absent or unreadable: try the next layout
            }
        }
        return OptionalLong.empty();
    }
}
