package dev.acdc.experiments.output;

import java.nio.file.Path;

/**
 * A second process that holds a run directory's lock, as a long {@code discover} would: it takes the lock, prints
 * {@code locked <pid>}, and keeps it until its standard input closes (or it is killed).
 */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        try (RunLock lock = RunLock.acquire(Path.of(args[0]), "--out " + args[0], "discover (the lock-holding test process)")) {
            System.out.println("locked " + ProcessHandle.current().pid());
            System.out.flush();
            while (System.in.read() != -1) {
                // hold the lock until the parent closes our input
            }
        }
    }
}
