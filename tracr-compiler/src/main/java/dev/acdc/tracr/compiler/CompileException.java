package dev.acdc.tracr.compiler;

import java.util.List;
import java.util.stream.Collectors;

/** The program cannot be compiled; lists every offending expression with the reason. */
public final class CompileException extends IllegalArgumentException {
    private final List<UnsupportedExpr> problems;

    public CompileException(List<UnsupportedExpr> problems) {
        super("cannot compile: " + problems.stream().map(UnsupportedExpr::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public CompileException(String expression, String kind, String reason) {
        this(List.of(new UnsupportedExpr(expression, kind, reason)));
    }

    public List<UnsupportedExpr> problems() {
        return problems;
    }
}
