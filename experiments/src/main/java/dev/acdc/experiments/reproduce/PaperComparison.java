package dev.acdc.experiments.reproduce;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Our AUCs against the paper's, cell by cell, and the known causes that explain a difference (or a notable value where
 * the paper has none): the deviations README.md and docs/paper-numbers.md document, ties, quick mode, stand-in models.
 * A cause is attached only where its conditions hold for the cell (task, method, metric, ablation, settings, points);
 * it says why a cell may differ, not by how much each cause moves it.
 */
final class PaperComparison {

    /** Differences below this are rounding at the three decimals both tables print. */
    static final double SAME = 0.0005;

    /** A known reason for a cell to differ from the paper, with the text the report prints. */
    enum Cause {
        QUICK("Quick run (--quick): ACDC at every third threshold, SP at every other λ with 300 steps, EAP-IG with 5 steps;"
                + " each curve has fewer points than the paper's sweeps, so its staircase and AUC are coarser. Run without"
                + " --quick to compare."),
        SMOKE("Smoke run: a stand-in model replaced the task's real model, so no number here is the paper's experiment."),
        TRACR_RESAMPLE_SCRAMBLE("The paper's tracr resample cells were made while the ACDC code's position scramble was a no-op"
                + " (it shuffled identical position embeddings; fixed in August 2023, before bc99ace8); ACDC here scrambles as"
                + " the fixed code does. --data acdc-code --no-scramble-positions keeps what those runs kept (reverse: 3 edges,"
                + " TPR 0.2, node AUC 0.3125). README, \"Conventions\"."),
        PROPORTION_DATA("Our tracr-proportion data corrects the ACDC code's (every row starts with BOS, tokens encoded as the"
                + " compiled model expects); the row tracr-proportion:acdc-code runs the ACDC code's own data."),
        HISP_SCORE("HISP's score here uses the run's ablation, (x − x′)·∂F/∂x, and the task's own metric; the reference took"
                + " x·∂F/∂x (zero ablation) and differentiated KL. README, \"The baselines\"."),
        SP_TRAINING("SP trains 3,000 epochs (train.py's default; the paper's launcher ran 10,000) on the unrounded λ list"
                + " (the launcher printed λ to three decimals), from its own seeded initialisation. README, \"The baselines\"."),
        EAP_ZERO_GRADIENT("EAP takes the gradient at the clean run by default, where a metric measured against the clean"
                + " output (L2) has zero gradient: every edge scores 0. --eap-gradient corrupted or mean gives a ranking."),
        TIES("Ties: the method gave every edge the same score, so its ranking has a single point, the full circuit, and the"
                + " pessimistic AUC is 0 (README, \"Ties in ROC\").");

        final String text;

        Cause(String text) {
            this.text = text;
        }
    }

    /**
     * One level of one cell.
     *
     * @param paper  the published value, if the paper has the cell
     * @param causes the known causes that hold for the cell (empty: none known)
     */
    record Entry(Cell cell, String level, double ours, OptionalDouble paper, List<Cause> causes) {
        /** Ours minus the paper's; NaN where the paper has no value. */
        double difference() {
            return paper.isPresent() ? ours - paper.getAsDouble() : Double.NaN;
        }

        boolean differs() {
            return paper.isPresent() && Math.abs(difference()) >= SAME;
        }

        /** Whether the report marks the cell: it differs from the paper, or a cause explains a value the paper lacks. */
        boolean marked() {
            return differs() || (paper.isEmpty() && (causes.contains(Cause.TIES) || causes.contains(Cause.EAP_ZERO_GRADIENT)));
        }
    }

    private final Report.Settings settings;

    PaperComparison(Report.Settings settings) {
        this.settings = settings;
    }

    Entry entry(Cell c, String level, double ours) {
        return new Entry(c, level, ours, PaperTable2.get(c.task(), c.metric(), c.ablation(), c.method(), level), causes(c, ours));
    }

    /** The causes whose conditions hold for this cell, in the enum's order. */
    List<Cause> causes(Cell c, double ours) {
        List<Cause> out = new ArrayList<>();
        boolean tracr = c.task().startsWith("tracr-");
        boolean acdcCode = c.task().endsWith(":acdc-code");
        if (settings.quick()) out.add(Cause.QUICK);
        if (settings.smokeRun()) out.add(Cause.SMOKE);
        if (tracr && c.ablation().equals("resample") && c.method().equals("acdc")) out.add(Cause.TRACR_RESAMPLE_SCRAMBLE);
        if (c.task().startsWith("tracr-proportion") && !acdcCode) out.add(Cause.PROPORTION_DATA);
        if (c.method().equals("hisp")) out.add(Cause.HISP_SCORE);
        if (c.method().equals("sp") && !settings.quick()) out.add(Cause.SP_TRAINING);
        // at the clean run KL's gradient is zero too, and EAP then takes the task's first other metric: L2 on tracr
        boolean l2 = c.metric().equals("l2") || (tracr && c.metric().startsWith("kl"));
        if (c.method().equals("eap") && settings.eapGradient().equals("default") && l2) out.add(Cause.EAP_ZERO_GRADIENT);
        if (ours == 0 && c.points().size() <= 1) out.add(Cause.TIES);
        return out;
    }

    /**
     * The causes cited by the marked entries, numbered from 1 in order of first citation, with the cells each explains
     * ({@code task metric ablation method level}).
     */
    static Map<Cause, List<String>> cited(List<Entry> entries) {
        Map<Cause, List<String>> m = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (!e.marked()) continue;
            for (Cause cause : e.causes()) {
                m.computeIfAbsent(cause, k -> new ArrayList<>()).add(String.join(" ", e.cell().task(), e.cell().metric(),
                        e.cell().ablation(), e.cell().method(), e.level()));
            }
        }
        return m;
    }

    /** {@code Δ +0.400} (ours minus the paper's), or empty where the cell does not differ. */
    static String differenceText(Entry e) {
        return e.differs() ? String.format(Locale.ROOT, "Δ %+.3f", e.difference()) : "";
    }
}
