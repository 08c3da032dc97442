package dev.acdc.experiments.discover;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ROC points behind the ACDC paper's figures (Conmy et al. 2023), drawn beside ours: for each task, metric kind,
 * ablation and method the paper plotted, the edge and node FPR/TPR of every circuit of its sweep (the trained
 * network). Extracted from the ACDC repository's {@code experiments/results/plots_data} by {@code
 * docs/data/extract_paper_roc_points.py} into {@code paper_roc_points.json} beside this class. The paper's node points
 * count nodes as the ACDC code did ({@code NodeMerging.ACDC_CODE}).
 *
 * <p>Keys as {@code PaperTable2}'s: our task names ({@code TASK:acdc-code} looks up TASK), metric kind {@code kl} for
 * KL divergence and {@code loss} for the task's own metric, ablation {@code resample} or {@code zero}, method {@code
 * acdc}, {@code sp} or {@code hisp}. The paper plotted no EAP; it has tracr points for ACDC only.
 */
public final class PaperRocPoints {
    private PaperRocPoints() {}

    public static final String SOURCE = "Conmy et al. 2023, the data of its ROC figures (ACDC repository, experiments/results/plots_data)";

    /** One sweep's points at one level, in the paper's order. */
    public record Series(double[] fpr, double[] tpr) {}

    private static final JsonObject POINTS = load();

    private static JsonObject load() {
        try (InputStream in = PaperRocPoints.class.getResourceAsStream("paper_roc_points.json")) {
            if (in == null) throw new IllegalStateException("paper_roc_points.json is missing from the classpath");
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject().getAsJsonObject("points");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read paper_roc_points.json: " + e.getMessage(), e);
        }
    }

    /**
     * The paper's points, or empty where it plotted none.
     *
     * @param metric our metric name ({@code kl} is KL divergence; any other is the task's own metric)
     * @param level  {@code edge} or {@code node}
     */
    public static Optional<Series> get(String task, String metric, String ablation, String method, String level) {
        if (!level.equals("edge") && !level.equals("node")) {
            throw new IllegalArgumentException("level must be edge or node, found '" + level + "'");
        }
        int colon = task.indexOf(':');
        String key = (colon < 0 ? task : task.substring(0, colon)) + "|" + (metric.equals("kl") ? "kl" : "loss") + "|" + ablation + "|" + method;
        JsonObject o = POINTS.getAsJsonObject(key);
        if (o == null) return Optional.empty();
        JsonArray xs = o.getAsJsonArray(level + "_fpr"), ys = o.getAsJsonArray(level + "_tpr");
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < Math.min(xs.size(), ys.size()); i++) {
            JsonElement x = xs.get(i), y = ys.get(i);
            if (x.isJsonNull() || y.isJsonNull()) continue;   // a circuit the paper's script could not score
            pts.add(new double[] {x.getAsDouble(), y.getAsDouble()});
        }
        return Optional.of(new Series(pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray()));
    }
}
