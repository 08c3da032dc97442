package dev.acdc.tracr.compiler;

/** One reason the compiler refuses an expression: its label, its kind and why. */
public record UnsupportedExpr(String expression, String kind, String reason) {
    @Override
    public String toString() {
        return kind + " '" + expression + "': " + reason;
    }
}
