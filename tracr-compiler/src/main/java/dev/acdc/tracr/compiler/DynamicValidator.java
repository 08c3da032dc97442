package dev.acdc.tracr.compiler;

import dev.acdc.tracr.rasp.Evaluator;
import dev.acdc.tracr.rasp.RaspEvaluationException;
import dev.acdc.tracr.rasp.SOp;

import java.util.List;
import java.util.Optional;

/**
 * The dynamic half of the categorical-aggregate check: evaluates the program on a given input and
 * reports the first aggregate that selects more than one key there (or any other evaluation failure),
 * for aggregates whose uniqueness {@link Validator#checkSelections} could not prove.
 */
public final class DynamicValidator {
    private DynamicValidator() {}

    /** Empty when the program evaluates cleanly on {@code input}; else the problem, naming the expression. */
    public static Optional<String> check(SOp program, List<?> input) {
        try {
            Evaluator.evaluate(program, input);
            return Optional.empty();
        } catch (RaspEvaluationException e) {
            return Optional.of("on input " + input + ": " + e.getMessage());
        }
    }
}
