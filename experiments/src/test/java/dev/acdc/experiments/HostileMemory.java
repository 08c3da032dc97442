package dev.acdc.experiments;

import dev.acdc.patching.testsupport.FreedNativeMemory;

/**
 * Runs the CLI while a background thread keeps collecting garbage and refilling freed native memory with NaN: a
 * process in which every buffer that Java frees is soon overwritten. Code that lets libtorch read Java memory after
 * its owner is gone computes something else here than in a quiet process.
 */
public final class HostileMemory {
    private HostileMemory() {}

    public static void main(String[] args) {
        Thread churn = new Thread(() -> {
            while (true) {
                try (FreedNativeMemory scribbled = FreedNativeMemory.reuse()) {
                    Thread.onSpinWait();
                }
            }
        }, "freed-memory-churn");
        churn.setDaemon(true);
        churn.start();
        AcdcCli.main(args);
    }
}
