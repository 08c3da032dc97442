package dev.acdc.experiments.cells;

import dev.acdc.experiments.BadInputException;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * {@code --engine} and {@code --master}: where a sweep's cells (or ACDC's speculative tests) are computed.
 */
public final class EngineOptionsMixin {

    public static final List<String> ENGINES = List.of("local", "spark");

    @Option(names = "--engine", defaultValue = "local", paramLabel = "ENGINE",
            description = "where the cells run: local (default: this JVM, one after another) or spark (Apache Spark executors;"
                    + " needs the cluster module, see README, Running on a cluster)")
    String engine;

    @Option(names = "--master", paramLabel = "URL",
            description = "with --engine spark: local[N], spark://HOST:PORT or k8s://…; default: the master spark-submit set")
    String master;

    /** Checks the values before anything is loaded. */
    public void check() {
        if (!ENGINES.contains(engine)) {
            throw new BadInputException("unknown --engine '" + engine + "'; expected one of " + String.join(", ", ENGINES));
        }
        if (master != null && engine.equals("local")) {
            throw new BadInputException("--master " + master + ": only with --engine spark (the local engine runs in this JVM)");
        }
        if (master != null && master.isBlank()) throw new BadInputException("--master '': expected local[N], spark://HOST:PORT or k8s://…");
    }

    public boolean local() {
        return engine.equals("local");
    }

    public String engine() {
        return engine;
    }

    /**
     * The runner: the local one, or the cluster engine's, which connects to the master now (an unreachable one is bad
     * input, before any cell starts).
     */
    public CellRunner open(String appName, Consumer<String> log) {
        check();
        if (local()) return new LocalCellRunner();
        return engine(engine).cellRunner(master, appName, log);
    }

    /** The master given, or null for the launcher's. */
    public String master() {
        return master;
    }

    /** The cluster engine of that name, from the class path (the cluster module's jar). */
    public static ClusterEngine engine(String name) {
        for (ClusterEngine e : ServiceLoader.load(ClusterEngine.class)) {
            if (e.name().equals(name)) return e;
        }
        throw new BadInputException("--engine " + name + ": the cluster module is not on the class path; run with bin/acdc"
                + " (it adds cluster/target/lib when --engine " + name + " is given) or with spark-submit (README, Running on a cluster)");
    }
}
