package dev.acdc.experiments.cells;

import dev.acdc.datasets.Task;
import dev.acdc.experiments.discover.TaskSource;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tasks this JVM has built, so that an executor loads a model once and reuses it for every cell it runs on that
 * task. Bounded ({@value #CAPACITY} tasks, least recently used first out): a GPT-2 task holds its weights, about
 * 0.5 GB, and the jobs of a sweep come task by task. A task is immutable once built, so two jobs may share it; each
 * job opens its own run (model on the engine, patcher) over it.
 */
public final class TaskCache {

    static final int CAPACITY = 2;

    /** The source is part of the key: a test that installs another source must not get the previous one's task. */
    private record Key(TaskSource source, TaskSpec spec) {}

    private static final Map<Key, Task> TASKS = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Task> eldest) {
            return size() > CAPACITY;
        }
    };

    private TaskCache() {}

    /** The task of that spec, built on first use with {@link TaskSource#current()}. */
    public static Task get(TaskSpec spec) {
        Key key = new Key(TaskSource.current(), spec);
        synchronized (TASKS) {
            Task t = TASKS.get(key);
            if (t != null) return t;
        }
        // built outside the lock: loading GPT-2 takes seconds, and another spec need not wait for it
        Task built = TaskSource.lookup(key.source(), "--tasks", spec.spelled(), spec.options());
        synchronized (TASKS) {
            return TASKS.computeIfAbsent(key, k -> built);
        }
    }

    /** Records a task the command already built (the local runner's path: nothing is built twice). */
    public static void put(TaskSpec spec, Task task) {
        synchronized (TASKS) {
            TASKS.put(new Key(TaskSource.current(), spec), task);
        }
    }

    /** Forgets every task (tests that swap the task source). */
    public static void clear() {
        synchronized (TASKS) {
            TASKS.clear();
        }
    }
}
