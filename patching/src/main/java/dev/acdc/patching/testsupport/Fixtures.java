package dev.acdc.patching.testsupport;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the test fixtures that live in the repository's test resources ({@code fixtures/gpt2-tiny},
 * {@code fixtures/gpt2-tokenizer} in {@code patching/src/test/resources}, which the {@code datasets} and
 * {@code experiments} builds add to their own test classpath; {@code datasets/*.json} in
 * {@code datasets/src/test/resources}).
 *
 * <p>A missing fixture fails the test instead of skipping it: the checks that need these files are the
 * strongest ones we have (golden logits, the real tokenizer), and a fresh clone must run them all.
 */
public final class Fixtures {
    private Fixtures() {}

    /**
     * The directory or file of a fixture on the test classpath, e.g. {@code fixtures/gpt2-tiny}.
     *
     * @throws IllegalStateException when it is not on the classpath (a build misconfiguration, not a skip)
     */
    public static Path path(String relative) {
        URL url = Thread.currentThread().getContextClassLoader().getResource(relative);
        if (url == null || !"file".equals(url.getProtocol())) {
            throw new IllegalStateException("test fixture '" + relative + "' is not on the test classpath as a file"
                    + " (found " + url + "); it belongs in src/test/resources (see the module's pom.xml)");
        }
        try {
            Path p = Path.of(url.toURI());
            if (!Files.exists(p)) throw new IllegalStateException("test fixture " + p + " does not exist");
            return p;
        } catch (URISyntaxException e) {
            throw new IllegalStateException("test fixture URL " + url + ": " + e.getMessage(), e);
        }
    }
}
