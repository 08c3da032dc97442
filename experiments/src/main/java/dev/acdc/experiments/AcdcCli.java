package dev.acdc.experiments;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code acdc} command line. Each subcommand is its own class; bad input exits 2 with one
 * line on stderr naming what was wrong.
 */
@Command(name = "acdc",
        mixinStandardHelpOptions = true,
        version = "acdc 0.1.0",
        description = "Circuit discovery on the JVM: compile RASP programs, run transformers, discover circuits (ACDC, SP, HISP, EAP).")
public final class AcdcCli implements Runnable {

    /**
     * The subcommands, in the order the usage lists them. They are registered programmatically, not in the annotation,
     * so that a run of one subcommand builds only that one's model: picocli reads every option of every registered
     * command by reflection when the command line is made, a tenth of a short command's start-up.
     */
    static final java.util.Map<String, Class<?>> SUBCOMMANDS = subcommands();

    private static java.util.Map<String, Class<?>> subcommands() {
        java.util.Map<String, Class<?>> m = new java.util.LinkedHashMap<>();
        m.put("help", CommandLine.HelpCommand.class);
        m.put("compile", CompileCommand.class);
        m.put("graph", GraphCommand.class);
        m.put("model-info", ModelInfoCommand.class);
        m.put("task-info", TaskInfoCommand.class);
        m.put("train", TrainCommand.class);
        m.put("discover", dev.acdc.experiments.discover.DiscoverCommand.class);
        m.put("roc", dev.acdc.experiments.discover.RocCommand.class);
        m.put("faithfulness", dev.acdc.experiments.discover.FaithfulnessCommand.class);
        m.put("reproduce", dev.acdc.experiments.reproduce.ReproduceCommand.class);
        m.put("bench", dev.acdc.experiments.bench.BenchCommand.class);
        m.put("convert", dev.acdc.experiments.interop.ConvertCommand.class);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Exit code for bad input (a wrong flag, a missing file, an unknown name). */
    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Exit code for an internal error (a bug, or the machine running out of memory): never bad input. */
    public static final int EXIT_INTERNAL_ERROR = 1;

    /** Runs the CLI with the given streams; returns the exit code (used by tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = newCommandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("acdc: out of memory (" + e.getMessage() + "); give Java more heap with ACDC_JAVA_OPTS=-Xmx16g, or choose"
                    + " smaller sizes");
            return EXIT_INTERNAL_ERROR;
        }
    }

    /** Whether these arguments print a usage: none at all, {@code help}, or {@code -h}/{@code --help} anywhere. */
    private static boolean showsUsage(String[] arguments) {
        if (arguments.length == 0 || arguments[0].equals("help")) return true;
        for (String a : arguments) if (a.equals("-h") || a.equals("--help")) return true;
        return false;
    }

    /** The command line with every subcommand. */
    public static CommandLine newCommandLine() {
        return newCommandLine(new String[0]);
    }

    /**
     * The command line for these arguments: when the first names a subcommand (other than help), only that one is
     * registered; otherwise (usage, help, a mistyped name that picocli suggests a correction for) every one is.
     */
    static CommandLine newCommandLine(String[] arguments) {
        CommandLine cl = new CommandLine(new AcdcCli());
        String first = arguments.length == 0 ? null : arguments[0];
        boolean one = first != null && SUBCOMMANDS.containsKey(first) && !first.equals("help");
        for (var e : SUBCOMMANDS.entrySet()) {
            if (!one || e.getKey().equals(first)) cl.addSubcommand(e.getKey(), e.getValue());
        }
        // the valid tasks, metrics, ablations and methods, from the registries: only a usage or help shows them, so a run
        // does not load every task class at start-up
        if (showsUsage(arguments)) HelpLists.install(cl);
        cl.setParameterExceptionHandler((ex, args) -> {
            // one line, like every other bad input: the message, then where the usage is
            ex.getCommandLine().getErr().println("acdc: " + oneLine(ex.getMessage()) + " (see 'acdc "
                    + (qualifiedName(ex.getCommandLine()) + " --help").strip() + "')");
            return EXIT_BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof BadInputException || ex instanceof IllegalArgumentException
                    || ex instanceof java.io.UncheckedIOException || ex instanceof java.io.IOException) {
                commandLine.getErr().println("acdc: " + oneLine(ex.getMessage()));
                return EXIT_BAD_INPUT;
            }
            if (ex instanceof dev.acdc.experiments.cells.ClusterUnavailableException) {   // the cluster, not the input
                commandLine.getErr().println("acdc: " + oneLine(ex.getMessage()));
                return EXIT_INTERNAL_ERROR;
            }
            throw ex;
        });
        return cl;
    }

    /** A message on one line: line breaks become "; ". */
    static String oneLine(String message) {
        return message == null ? "(no message)" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    private static String qualifiedName(CommandLine cl) {
        String n = cl.getCommandSpec().qualifiedName(" ");
        return n.startsWith("acdc ") ? n.substring(5) : "";
    }
}
