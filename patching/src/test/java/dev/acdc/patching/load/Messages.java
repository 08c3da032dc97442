package dev.acdc.patching.load;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions on error messages: every part must appear, and the message must be one line. */
final class Messages {
    private Messages() {}

    static void assertMentions(Throwable ex, String... parts) {
        String m = ex.getMessage();
        assertTrue(m != null && !m.contains("\n"), "message should be one line: " + m);
        for (String p : parts) assertTrue(m.contains(p), "message should mention '" + p + "': " + m);
    }
}
