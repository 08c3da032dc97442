package dev.acdc.tracr.rasp;

/** Evaluation failed at a named expression (a function threw, or a categorical aggregate selected several keys). */
public final class RaspEvaluationException extends RuntimeException {
    private final String expression;

    public RaspEvaluationException(String expression, String message, Throwable cause) {
        super(expression + ": " + message, cause);
        this.expression = expression;
    }

    /** The label of the expression that failed. */
    public String expression() {
        return expression;
    }
}
