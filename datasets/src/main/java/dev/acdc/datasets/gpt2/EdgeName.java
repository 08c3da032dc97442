package dev.acdc.datasets.gpt2;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An edge of ACDC's computational graph named in the project's notation (see DESIGN.md):
 * senders {@code embed}, {@code aL.H}, {@code mL}; receivers {@code aL.H.q|k|v}, {@code mL},
 * {@code output}; written {@code sender->receiver}, e.g. {@code a0.1->a3.0.k}.
 *
 * <p>Direct-computation edges (a head's q/k/v input into its q/k/v) are written
 * {@code aL.H.q_input->aL.H.q} for now; the graph module owns the final spelling.
 */
public record EdgeName(String sender, String receiver) implements Comparable<EdgeName> {
    private static final Pattern SENDER = Pattern.compile("embed|a\\d+\\.\\d+|m\\d+|a\\d+\\.\\d+\\.[qkv]_input");
    private static final Pattern RECEIVER = Pattern.compile("output|m\\d+|a\\d+\\.\\d+\\.[qkv]");
    private static final String ARROW = "->";

    public EdgeName {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(receiver, "receiver");
        if (!SENDER.matcher(sender).matches()) {
            throw new IllegalArgumentException("edge sender '" + sender + "' is not one of embed, aL.H, mL, aL.H.x_input");
        }
        if (!RECEIVER.matcher(receiver).matches()) {
            throw new IllegalArgumentException("edge receiver '" + receiver + "' is not one of aL.H.q|k|v, mL, output");
        }
        if (sender.endsWith("_input") && !sender.equals(receiver + "_input")) {
            throw new IllegalArgumentException("direct-computation edge " + sender + ARROW + receiver + " must go from a head's x_input to its own x");
        }
    }

    /** Parses {@code sender->receiver}. */
    public static EdgeName parse(String text) {
        int arrow = text.indexOf(ARROW);
        if (arrow < 0) throw new IllegalArgumentException("edge '" + text + "' has no '->'; expected e.g. a0.1->a3.0.k");
        return new EdgeName(text.substring(0, arrow), text.substring(arrow + ARROW.length()));
    }

    /** The addition edge from a sender into a receiver. */
    static EdgeName of(String sender, String receiver) {
        return new EdgeName(sender, receiver);
    }

    /** {@code aL.H.x_input -> aL.H.x}. */
    static EdgeName directComputation(String headInput) {
        return new EdgeName(headInput + "_input", headInput);
    }

    /** True for {@code aL.H.x_input -> aL.H.x}; false for residual (addition) edges. */
    public boolean isDirectComputation() {
        return sender.endsWith("_input");
    }

    @Override
    public int compareTo(EdgeName o) {
        return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
        return sender + ARROW + receiver;
    }
}
