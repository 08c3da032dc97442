package dev.acdc.experiments.output;

import dev.acdc.experiments.BadInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One writer per output directory: an exclusive operating-system lock ({@link FileChannel#tryLock()}) on a lock file.
 *
 * <p>The holder writes its pid, host, start time and command into the file and deletes the file when it finishes
 * while still holding the lock; a run that takes the lock checks, by name, that the file it locked is still the one
 * the name leads to, else starts over. The file is never opened twice by one process: closing any descriptor of a
 * file releases the process's POSIX locks on it. The operating system releases the lock when the process dies, however it dies, so
 * a lock file that exists but is not locked was left by a killed run: it is stale and the next run takes it over
 * (and says so). A second run while the holder lives gets a {@link BadInputException} (exit 2) naming the holder.
 */
public final class RunLock implements AutoCloseable {

    /** The lock file's name inside a run directory. */
    public static final String FILE = ".acdc.lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final String staleHolder;

    private RunLock(Path file, FileChannel channel, FileLock lock, String staleHolder) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.staleHolder = staleHolder;
    }

    /**
     * Takes the lock {@code lockFile} (creating it and its directory), or fails naming the holder.
     *
     * @param flag    the option whose directory this guards, for the message (e.g. {@code --out runs/x})
     * @param command what this run is, recorded for the next one to name
     */
    public static RunLock acquire(Path lockFile, String flag, String command) {
        FileChannel ch = null;
        try {
            Files.createDirectories(lockFile.toAbsolutePath().getParent());
            byte[] me = ("pid=" + ProcessHandle.current().pid() + "\nhost=" + host() + "\nstarted=" + Instant.now()
                    + "\ncommand=" + command.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8);
            FileLock lock = null;
            String stale = null;
            for (int attempt = 0; lock == null; attempt++) {
                // The file is only ever looked up by name with stat, never opened a second time: closing any other
                // descriptor of a locked file releases the process's POSIX lock on it.
                Object before = fileKey(lockFile);
                ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                Object opened = fileKey(lockFile);
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException sameProcess) {
                    lock = null;   // this JVM holds it already (a second run in the same process)
                }
                if (lock == null) {
                    String holder = describe(read(ch));
                    ch.close();
                    throw new BadInputException(flag + " is in use by another acdc run (" + holder + "); wait for it to finish"
                            + " or choose another directory");
                }
                // A finishing holder deletes the file while it still holds the lock: if the name no longer leads to
                // the file we opened and locked, another run may lock the new file, so start over.
                boolean sameFile = opened != null && (before == null || before.equals(opened)) && opened.equals(fileKey(lockFile));
                if (!sameFile && attempt < 100) {
                    lock.release();
                    ch.close();
                    lock = null;
                    continue;
                }
                String previous = read(ch).strip();
                stale = previous.isEmpty() ? null : describe(previous);
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(me), 0);
                ch.force(false);
            }
            return new RunLock(lockFile, ch, lock, stale);
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the original error is the one to report
                }
            }
            throw new UncheckedIOException("cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
    }

    /** The holder a killed run left in the lock file, when this run took a stale lock over; else null. */
    public String staleHolder() {
        return staleHolder;
    }

    public Path file() {
        return file;
    }

    /** Deletes the lock file (a clean finish) while still holding it, then releases the lock. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the lock is released below either way; a file left behind only reads as stale later
        } finally {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot release " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /** The file's identity (device and inode on Linux) by name, without opening it; null when there is none. */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static String read(FileChannel ch) throws IOException {
        long size = Math.min(ch.size(), 4096);
        ByteBuffer b = ByteBuffer.allocate((int) size);
        ch.read(b, 0);
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    /** "pid 123 on host h, started …, running: …" from the lock file's lines. */
    private static String describe(String content) {
        String pid = field(content, "pid"), host = field(content, "host"), started = field(content, "started"),
                command = field(content, "command");
        if (pid == null) return "holder unknown: the lock file names none";
        return "pid " + pid + (host == null ? "" : " on " + host) + (started == null ? "" : ", started " + started)
                + (command == null ? "" : ", running: " + command);
    }

    private static String field(String content, String key) {
        for (String line : content.split("\n")) {
            if (line.startsWith(key + "=")) return line.substring(key.length() + 1).strip();
        }
        return null;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown host";
        }
    }
}
