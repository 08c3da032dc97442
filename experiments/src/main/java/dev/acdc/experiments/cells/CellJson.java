package dev.acdc.experiments.cells;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/**
 * The one JSON form of every job's result ({@link CellJob#compute}), as {@link CellJournal} writes it and the commands
 * read it back: snake_case keys like every other JSON output, nulls kept (a missing curve is not an empty one), NaN and
 * infinities written as such (an undefined interval bound is a value), no HTML escaping (explorer pages inside).
 */
public final class CellJson {

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().serializeNulls()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

    private CellJson() {}

    /** A result as one line of JSON and a newline. */
    public static String write(Object result) {
        return GSON.toJson(result) + "\n";
    }

    /** A result written by {@link #write}. */
    public static <T> T read(String json, Class<T> type) {
        return GSON.fromJson(json, type);
    }
}
