package dev.acdc.patching.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One forward pass's hooks and, when asked, its cache of every activation. */
final class HookPass {
    /** A pass with no hooks and no cache: what the primitives the patching engine calls run under. */
    static final HookPass NONE = new HookPass(null, List.of(), false);

    final NDManager scope;
    final Map<String, NDArray> cache;
    private final Map<String, List<Hook.HookFunction>> hooks = new HashMap<>();
    /** The sliding-window mask of this pass's length, made by the first windowed layer that needs it. */
    NDArray windowBias;

    HookPass(NDManager scope, List<Hook> hookList, boolean cache) {
        this.scope = scope;
        for (Hook h : hookList) hooks.computeIfAbsent(h.name(), n -> new ArrayList<>()).add(h.function());
        this.cache = cache ? new LinkedHashMap<>() : null;
    }

    boolean hooks(String... names) {
        for (String n : names) if (hooks.containsKey(n)) return true;
        return false;
    }

    /** Runs the hooks of {@code name} on x (each may replace it with an array of the same shape) and caches the result. */
    NDArray hook(String name, NDArray x) {
        List<Hook.HookFunction> fs = hooks.get(name);
        if (fs != null) {
            for (Hook.HookFunction f : fs) {
                NDArray y = f.apply(x);
                if (y == null) throw new IllegalStateException("hook on '" + name + "' returned null");
                if (!y.getShape().equals(x.getShape())) {
                    throw new IllegalStateException("hook on '" + name + "' returned shape " + y.getShape()
                            + ", expected " + x.getShape());
                }
                if (y != x && y.getManager() != scope) {
                    // keep every array of this pass in the caller's scope, whoever made the replacement
                    NDArray copy = y.duplicate();
                    copy.attach(scope);
                    y = copy;
                }
                if (y.getDataType() != DataType.FLOAT32) y = y.toType(DataType.FLOAT32, false);
                x = y;
            }
        }
        if (cache != null) cache.put(name, x);
        return x;
    }
}
