package dev.acdc.tracr.compiler;

import dev.acdc.tracr.rasp.Aggregate;
import dev.acdc.tracr.rasp.Indices;
import dev.acdc.tracr.rasp.LinearSequenceMap;
import dev.acdc.tracr.rasp.RaspExpr;
import dev.acdc.tracr.rasp.SOp;
import dev.acdc.tracr.rasp.Select;
import dev.acdc.tracr.rasp.Selector;
import dev.acdc.tracr.rasp.SelectorWidth;
import dev.acdc.tracr.rasp.SequenceMap;
import dev.acdc.tracr.rasp.Tokens;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Pass 2: collects every construct the compiler cannot build, with the reason and the fix, and throws
 * once. {@link #checkSelections} runs after value-set inference: a categorical aggregate whose selector
 * provably selects several keys is an error (Tracr compiled it silently); one that cannot be proven unique
 * becomes a warning, to be checked dynamically on inputs ({@link DynamicValidator}).
 */
public final class Validator {
    private Validator() {}

    private static final Set<String> RESERVED = Set.of("one", "bos", "pad");

    public static void validate(RaspGraph graph) {
        List<UnsupportedExpr> problems = new ArrayList<>();
        for (String label : graph.topologicalOrder()) {
            RaspExpr e = graph.expr(label);
            if (RESERVED.contains(label)) {
                problems.add(new UnsupportedExpr(label, e.kind(), "the name '" + label
                        + "' is reserved for a residual direction; rename the expression"));
            }
            if ((label.equals("tokens") && !(e instanceof Tokens)) || (label.equals("indices") && !(e instanceof Indices))) {
                problems.add(new UnsupportedExpr(label, e.kind(), "the name '" + label + "' is reserved for the input; rename the expression"));
            }
            if (e instanceof SOp s) checkSop(label, s, problems);
            if (e instanceof Selector s) checkSelector(label, s, problems);
        }
        if (!problems.isEmpty()) throw new CompileException(problems);
    }

    private static void checkSop(String label, SOp e, List<UnsupportedExpr> problems) {
        if ((e instanceof Tokens || e instanceof Indices) && e.isNumerical()) {
            problems.add(new UnsupportedExpr(label, e.kind(), "numerical " + label + " is not supported; use a numerical Map of it"));
        } else if (e instanceof SequenceMap m) {
            if (m.left().isNumerical() || m.right().isNumerical()) {
                problems.add(new UnsupportedExpr(label, e.kind(), "SequenceMap needs categorical inputs, found numerical "
                        + (m.left().isNumerical() ? m.left().label() : m.right().label())
                        + "; use LinearSequenceMap for a linear combination of numerical SOps"));
            }
        } else if (e instanceof LinearSequenceMap m) {
            if (m.left().encoding() != m.right().encoding()) {
                problems.add(new UnsupportedExpr(label, e.kind(), "LinearSequenceMap needs two numerical or two categorical inputs, found "
                        + m.left().encoding() + " " + m.left().label() + " and " + m.right().encoding() + " " + m.right().label()));
            } else if (m.left().isNumerical() && !e.isNumerical()) {
                problems.add(new UnsupportedExpr(label, e.kind(), "a LinearSequenceMap of numerical inputs must be numerical; annotate it numerical"));
            }
        } else if (e instanceof Aggregate a) {
            if (a.isNumerical()) {
                if (!a.sop().isNumerical()) {
                    problems.add(new UnsupportedExpr(label, e.kind(), "a numerical Aggregate needs a numerical SOp, found categorical "
                            + a.sop().label() + "; annotate it numerical"));
                }
                if (!Integer.valueOf(0).equals(a.defaultValue())) {
                    problems.add(new UnsupportedExpr(label, e.kind(), "a numerical Aggregate must have default 0 (BOS contributes 0), found "
                            + a.defaultValue()));
                }
            } else {
                if (a.sop().isNumerical()) {
                    problems.add(new UnsupportedExpr(label, e.kind(), "a categorical Aggregate needs a categorical SOp, found numerical "
                            + a.sop().label() + "; annotate the aggregate numerical to average"));
                }
                if (a.defaultValue() != null) {
                    problems.add(new UnsupportedExpr(label, e.kind(), "a categorical Aggregate must have default None, found " + a.defaultValue()));
                }
            }
        } else if (e instanceof SelectorWidth) {
            // any selector that flattens (checked on the selector) is fine
        }
    }

    private static void checkSelector(String label, Selector s, List<UnsupportedExpr> problems) {
        if (s instanceof Select sel) {
            for (SOp side : List.of(sel.keys(), sel.queries())) {
                if (side.isNumerical()) {
                    problems.add(new UnsupportedExpr(label, s.kind(), "Select needs categorical keys and queries, found numerical "
                            + side.label() + "; select on a categorical Map of it"));
                }
            }
        } else if (!SelectorLogic.isFlattenable(s)) {
            problems.add(new UnsupportedExpr(label, s.kind(), "and/or/not of selectors is supported only when every Select"
                    + " uses the same keys and the same queries (one head); combine the SOps first with a SequenceMap"));
        }
    }

    /**
     * The static selection check of categorical aggregates. With keys = indices, each key value is one
     * position, so the number of selected keys for a query value is the number of matching indices: more
     * than one is an error. With other keys it cannot be decided statically: a warning is returned.
     *
     * @return warnings for aggregates checked only dynamically
     */
    public static List<String> checkSelections(RaspGraph graph, ValueSets values) {
        List<UnsupportedExpr> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (String label : graph.topologicalOrder()) {
            if (!(graph.expr(label) instanceof Aggregate a) || a.isNumerical()) continue;
            SelectorLogic.Flat f = SelectorLogic.flatten(a.selector());
            if (f.keys() instanceof Indices) {
                for (Object q : values.of(graph.labelOf(f.queries()))) {
                    List<Object> matches = new ArrayList<>();
                    for (Object k : values.of(graph.labelOf(f.keys()))) if (f.predicate().test(k, q)) matches.add(k);
                    if (matches.size() > 1) {
                        problems.add(new UnsupportedExpr(label, a.kind(), "categorical Aggregate can select " + matches.size()
                                + " positions (indices " + matches + ") for query value " + q
                                + "; it must select at most one: make the selector unique or annotate the aggregate numerical"));
                        break;
                    }
                }
            } else {
                warnings.add("categorical Aggregate '" + label + "' selects on keys '" + graph.labelOf(f.keys())
                        + "', so uniqueness of the selection is not proven statically; it is checked on given inputs");
            }
        }
        if (!problems.isEmpty()) throw new CompileException(problems);
        return warnings;
    }
}
