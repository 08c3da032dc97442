package dev.acdc.experiments.cells;

/**
 * A cluster engine can run nothing more for this command (its executors are gone, or the cluster stopped the
 * application). Not bad input: the command was fine and what it finished is kept for {@code --resume}; the CLI prints
 * the message on one line and exits 1.
 */
public final class ClusterUnavailableException extends RuntimeException {
    public ClusterUnavailableException(String message) {
        super(message);
    }
}
