package dev.acdc.experiments;

import com.google.gson.GsonBuilder;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.model.TransformerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code acdc graph --model M [--json]}: the size of a model's edge-level computational graph, counted as
 * ACDC counts it (nodes, tested edges, addition and direct-computation edges).
 */
@Command(name = "graph",
        mixinStandardHelpOptions = true,
        description = "Print the nodes and edges of a model's computational graph, counted as ACDC counts them.")
public final class GraphCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL",
            description = "gpt2-small, attn-only-2l, attn-only-4l, a model directory, or tracr:PROGRAM")
    String model;

    @Option(names = "--json", description = "print one JSON object (keys nodes, edges, addition_edges, direct_edges)")
    boolean json;

    @Spec
    CommandSpec spec;

    // TODO(lead): replace with dev.acdc.patching.load.Presets once it lands on main.
    private static final Map<String, TransformerConfig> PRESETS = Map.of(
            "gpt2-small", TransformerConfig.gpt2Style("gpt2-small", 12, 768, 12, 3072, 50257, 1024, 1e-5),
            "attn-only-2l", attentionOnly("attn-only-2l", 2),
            "attn-only-4l", attentionOnly("attn-only-4l", 4));

    private static TransformerConfig attentionOnly(String name, int layers) {
        return new TransformerConfig(name, layers, 512, 8, 64, 0, 48262, 48262, 2048,
                TransformerConfig.Normalization.LAYERNORM, 1e-5, TransformerConfig.Activation.GELU_NEW,
                true, 1.0 / Math.sqrt(64), false);
    }

    @Override
    public Integer call() {
        CircuitGraph graph = CircuitGraph.of(resolve(model));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", graph.config().name());
            m.put("nodes", graph.nodeCount());
            m.put("edges", graph.edgeCount());
            m.put("addition_edges", graph.additionEdgeCount());
            m.put("direct_edges", graph.directEdgeCount());
            m.put("placeholder_edges", graph.placeholderEdgeCount());
            m.put("components", graph.componentNames().size());
            out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(m));
        } else {
            out.printf("model               %s%n", graph.config().name());
            out.printf("nodes               %d (%d components: embeddings, heads, MLPs, output)%n",
                    graph.nodeCount(), graph.componentNames().size());
            out.printf("edges               %d%n", graph.edgeCount());
            out.printf("  addition          %d%n", graph.additionEdgeCount());
            out.printf("  direct            %d%n", graph.directEdgeCount());
            out.printf("placeholder edges   %d (never tested nor counted)%n", graph.placeholderEdgeCount());
        }
        out.flush();
        return 0;
    }

    /** The config a {@code --model} value names. */
    static TransformerConfig resolve(String spec) {
        TransformerConfig preset = PRESETS.get(spec);
        if (preset != null) return preset;
        if (spec.startsWith("tracr:")) {
            // TODO(lead): wire in the tracr compiler's program library.
            throw new BadInputException("--model " + spec + ": compiled tracr models are not available yet in 'acdc graph'");
        }
        if (Files.isDirectory(Path.of(spec))) {
            // TODO(lead): wire in the checkpoint loader's config reading.
            throw new BadInputException("--model " + spec + ": loading a model directory is not available yet in 'acdc graph'");
        }
        throw new BadInputException("unknown --model '" + spec + "'; expected gpt2-small, attn-only-2l, attn-only-4l, "
                + "an existing model directory, or tracr:PROGRAM");
    }
}
