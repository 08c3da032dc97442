package dev.acdc.experiments.discover;

import dev.acdc.datasets.Task;
import dev.acdc.experiments.BadInputException;

import java.util.List;

/**
 * Where {@code discover} and {@code roc} find tasks by name. Production delegates to the task registry
 * {@code dev.acdc.datasets.Tasks}; tests install a source with a fake task via {@link #use}.
 */
public interface TaskSource {

    /** The task of that name; unknown names are bad input. */
    Task get(String name);

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
    static Task lookup(TaskSource source, String name) {
        List<String> names = source.names();
        if (!names.contains(name)) {
            throw new BadInputException("unknown --task '" + name + "'; expected one of " + String.join(", ", names));
        }
        return source.get(name);
    }

    /** The registry {@code dev.acdc.datasets.Tasks.get(name, TaskOptions.defaults())}. */
    static TaskSource registry() {
        return new TaskSource() {
            @Override
            public Task get(String name) {
                return dev.acdc.datasets.Tasks.get(name, dev.acdc.datasets.TaskOptions.defaults());
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
