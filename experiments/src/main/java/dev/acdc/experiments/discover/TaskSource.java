package dev.acdc.experiments.discover;

import dev.acdc.datasets.DataVariant;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.datasets.file.FileTaskDefinition;
import dev.acdc.experiments.BadInputException;

import java.util.List;

/**
 * Where {@code discover} and {@code roc} find tasks by name. Production delegates to the task registry
 * {@code dev.acdc.datasets.Tasks}, which also reads task files ({@code file:PATH}); tests install a source with a
 * fake task via {@link #use}.
 */
public interface TaskSource {

    /** The task of that name built with those options; unknown names are bad input. */
    Task get(String name, TaskOptions options);

    List<String> names();

    /** The source the commands use now. */
    static TaskSource current() {
        return Holder.current;
    }

    /** Installs a source (tests); {@code null} restores the registry. */
    static void use(TaskSource source) {
        Holder.current = source == null ? registry() : source;
    }

    /** Looks a name up, failing with one line naming the flag, the value and the known tasks. */
    static Task lookup(TaskSource source, String name, TaskOptions options) {
        return lookup(source, "--task", name, options);
    }

    /**
     * Looks a task up by its spelling under {@code flag}: a task name, {@code TASK:VARIANT} for a data variant
     * ({@code tracr-proportion:acdc-code}), which must agree with {@code --data} when that is not the default, or a
     * task file {@code file:PATH}.
     */
    static Task lookup(TaskSource source, String flag, String spelled, TaskOptions options) {
        Spelled s = parse(source, flag, spelled, options);
        return source.get(s.name(), options.withData(s.data()));
    }

    /**
     * The task's name as output directories spell it: {@code tracr-reverse-acdc-code} for the ACDC code's data,
     * whichever way it was asked for ({@code --data acdc-code} or {@code TASK:acdc-code}), and file-safe
     * ({@code file:docs/x.jsonl} becomes {@code file-docs-x.jsonl}); checked like {@link #lookup}.
     */
    static String runName(TaskSource source, String spelled, TaskOptions options) {
        Spelled s = parse(source, "--task", spelled, options);
        return TaskRun.fileName(s.data() == DataVariant.OURS ? s.name() : s.name() + "-" + s.data().cliName());
    }

    /** A task spelling split into the task's name and its data variant. */
    record Spelled(String name, DataVariant data) {}

    /**
     * Checks a spelling ({@code TASK}, {@code TASK:VARIANT} or {@code file:PATH}) against the known tasks and
     * {@code --data}. A task file's colon is not a variant's: the whole spelling is its name.
     */
    static Spelled parse(TaskSource source, String flag, String spelled, TaskOptions options) {
        if (FileTaskDefinition.isFileTask(spelled)) return new Spelled(spelled, options.data());
        List<String> names = source.names();
        int colon = spelled.indexOf(':');
        String name = colon < 0 ? spelled : spelled.substring(0, colon);
        if (!names.contains(name)) {
            throw new BadInputException("unknown " + flag + " '" + spelled + "'; expected one of " + String.join(", ", names)
                    + " (optionally as TASK:" + DataVariant.ACDC_CODE.cliName() + "), or file:PATH (a JSON Lines file of prompts)");
        }
        if (colon < 0) return new Spelled(name, options.data());
        String variantName = spelled.substring(colon + 1);
        if (!DataVariant.cliNames().contains(variantName)) {
            throw new BadInputException("unknown data variant in " + flag + " '" + spelled + "'; expected TASK:"
                    + String.join(" or TASK:", DataVariant.cliNames()));
        }
        DataVariant variant = DataVariant.parse(variantName);
        if (options.data() != DataVariant.OURS && options.data() != variant) {
            throw new BadInputException(flag + " '" + spelled + "' asks for " + variant.cliName() + " data but --data is "
                    + options.data().cliName());
        }
        return new Spelled(name, variant);
    }

    /** The registry {@code dev.acdc.datasets.Tasks.get(name, options)}. */
    static TaskSource registry() {
        return new TaskSource() {
            @Override
            public Task get(String name, TaskOptions options) {
                return dev.acdc.datasets.Tasks.get(name, options);
            }

            @Override
            public List<String> names() {
                return dev.acdc.datasets.Tasks.names();
            }
        };
    }

    final class Holder {
        private static volatile TaskSource current = registry();

        private Holder() {}
    }
}
