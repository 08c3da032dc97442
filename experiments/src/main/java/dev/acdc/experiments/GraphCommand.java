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

    @Override
    public Integer call() {
        CircuitGraph graph = graphOf("graph", model);
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

    /**
     * The edge graph of {@code --model} (a preset, a model directory or tracr:PROGRAM). Every architecture the runtime
     * runs has one: grouped key/value heads, a parallel residual and post-norms (each head's share with the clean
     * rms) are counted as the graph package's documentation says.
     */
    public static CircuitGraph graphOf(String command, String model) {
        return CircuitGraph.of(resolve(model));
    }

    /** The config a {@code --model} value names: a preset, {@code tracr:PROGRAM} (compiled with its defaults) or a model directory. */
    static TransformerConfig resolve(String spec) {
        var preset = dev.acdc.patching.load.Presets.byName(spec);
        if (preset.isPresent()) return preset.get();
        if (spec.startsWith("tracr:")) {
            String program = spec.substring("tracr:".length());
            var entry = dev.acdc.tracr.lib.Library.get(program);
            return dev.acdc.tracr.compiler.RaspCompiler.compile(program, entry.build(Map.of(), entry.defaultMaxSeqLen()),
                    entry.defaultVocab(), entry.defaultMaxSeqLen()).config();
        }
        if (Files.isDirectory(Path.of(spec))) {
            // the checkpoint's header, size and shapes are checked against its config: a truncated file is bad input here too
            return dev.acdc.patching.load.CheckpointInspection.inspect(Path.of(spec)).config();
        }
        if (Files.exists(Path.of(spec))) {
            throw new BadInputException("--model " + spec + " is a file, not a model directory (expected a directory with config.json and"
                    + " model.safetensors)");
        }
        throw new BadInputException("unknown --model '" + spec + "'; expected " + String.join(", ", dev.acdc.patching.load.Presets.names())
                + ", an existing model directory, or tracr:PROGRAM");
    }
}
