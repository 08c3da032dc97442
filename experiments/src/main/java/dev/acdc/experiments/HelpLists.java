package dev.acdc.experiments;

import dev.acdc.datasets.DataVariant;
import dev.acdc.datasets.Tasks;
import dev.acdc.experiments.discover.MethodFactory;
import dev.acdc.experiments.discover.TaskRun;
import dev.acdc.experiments.discover.TaskSource;
import dev.acdc.experiments.reproduce.ReproduceCommand;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

/**
 * The valid values of {@code --task}, {@code --metric}, {@code --ablation} and {@code --method(s)}, listed at the end of
 * the {@code --help} of {@code discover}, {@code roc}, {@code reproduce} and {@code task-info}. Generated from the
 * registries the commands check their input against (the task source, {@link Tasks#metricNames}, {@link TaskRun#ABLATIONS},
 * {@link MethodFactory#NAMES}), so help and checks cannot disagree.
 */
final class HelpLists {
    private HelpLists() {}

    static void install(CommandLine cl) {
        footer(cl, "discover", TaskRun.ABLATIONS, true);
        footer(cl, "roc", TaskRun.ABLATIONS, true);
        footer(cl, "reproduce", ReproduceCommand.ABLATIONS, true);
        footer(cl, "task-info", null, false);
    }

    private static void footer(CommandLine cl, String command, List<String> ablations, boolean methods) {
        CommandLine sub = cl.getSubcommands().get(command);
        if (sub == null) return;
        List<String> lines = new ArrayList<>();
        lines.add("");
        List<String> tasks = TaskSource.current().names();
        lines.add("Tasks, with their metrics (the first is the default):");
        for (String t : tasks) {
            lines.add(String.format(java.util.Locale.ROOT, "  %-18s %s", t,
                    Tasks.names().contains(t) ? String.join(", ", Tasks.metricNames(t)) : ""));
        }
        lines.add(String.format(java.util.Locale.ROOT, "  %-18s %s", "file:PATH", "a JSON Lines file of prompts (its own metrics)"));
        if (!command.equals("task-info")) {
            lines.add(String.format(java.util.Locale.ROOT, "  %-18s %s", "TASK:" + DataVariant.ACDC_CODE.cliName(),
                    "a tracr task on the ACDC code's data"));
        }
        if (ablations != null) lines.add("Ablations: " + String.join(", ", ablations));
        if (methods) lines.add("Methods: " + String.join(", ", MethodFactory.NAMES));
        sub.getCommandSpec().usageMessage().footer(lines.stream().map(l -> l.replace("%", "%%")).toArray(String[]::new));
    }
}
