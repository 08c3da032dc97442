package dev.acdc.datasets.file;

/**
 * The optional first line of a task file, {@code {"defaults": {…}}}: defaults for the command line's
 * {@code --metric} and {@code --ground-truth} and for the examples' {@code positions}.
 *
 * @param line        the line it was read from; 0 when the file has no defaults line
 * @param metric      the default metric ({@code kl}, {@code logit-diff} or {@code prob-diff}); null for {@code kl}
 * @param positions   the positions scored in examples without their own; null for the last position
 * @param groundTruth a ground-truth file of edges as written (relative to the task file's directory); null for none
 */
public record Defaults(int line, String metric, int[] positions, String groundTruth) {

    /** A file without a defaults line. */
    public static final Defaults NONE = new Defaults(0, null, null, null);

    public Defaults {
        positions = positions == null ? null : positions.clone();
    }

    @Override
    public int[] positions() {
        return positions == null ? null : positions.clone();
    }
}
