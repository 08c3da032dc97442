package dev.acdc.experiments.discover;

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

    /** Whether a name is a task of {@code source}: one of its names, or a task file ({@code file:PATH}). */
    static boolean knows(TaskSource source, String name) {
        return source.names().contains(name) || FileTaskDefinition.isFileTask(name);
    }

    /** Looks a name up, failing with one line naming the flag, the value and the known tasks. */
    static Task lookup(TaskSource source, String name, TaskOptions options) {
        if (!knows(source, name)) {
            throw new BadInputException("unknown --task '" + name + "'; expected one of " + String.join(", ", source.names())
                    + ", or file:PATH (a JSON Lines file of prompts)");
        }
        return source.get(name, options);
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
