package dev.acdc.datasets.file;

import java.nio.file.Path;

/**
 * Bad input in a task file or a ground-truth file: one line naming the file, the line (1-based; none when
 * the whole file is at fault), the field, what was wrong and, where there is one, the fix. The command line
 * prints the message and exits 2, as for any {@link IllegalArgumentException}.
 */
public final class TaskFileException extends IllegalArgumentException {
    private final Path file;
    private final int line;
    private final String field;

    private TaskFileException(Path file, int line, String field, String problem) {
        super(file + (line > 0 ? " line " + line : "") + (field != null ? ", field " + field : "") + ": " + oneLine(problem));
        this.file = file;
        this.line = line;
        this.field = field;
    }

    /** A problem with the whole file (missing, unreadable, empty). */
    static TaskFileException file(Path file, String problem) {
        return new TaskFileException(file, 0, null, problem);
    }

    /** A problem with one line, not tied to one field (malformed JSON, a missing prompt). */
    static TaskFileException line(Path file, int line, String problem) {
        return new TaskFileException(file, line, null, problem);
    }

    /** A problem with one field of one line. */
    static TaskFileException field(Path file, int line, String field, String problem) {
        return new TaskFileException(file, line, field, problem);
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The 1-based line at fault, 0 when the whole file is. */
    public int line() {
        return line;
    }

    /** The field at fault ({@code clean_ids}, {@code defaults.metric}, …), null when none is. */
    public String field() {
        return field;
    }

    /** Text from the user's file, quoted with its control characters escaped so the message stays on one line. */
    static String quote(String text) {
        StringBuilder b = new StringBuilder("\"");
        text.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)) {
                        b.append(String.format("\\u%04x", c));
                    } else {
                        b.appendCodePoint(c);
                    }
                }
            }
        });
        return b.append('"').toString();
    }

    private static String oneLine(String s) {
        return s.replace("\r", " ").replace("\n", " ");
    }
}
