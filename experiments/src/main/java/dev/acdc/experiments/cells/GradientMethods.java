package dev.acdc.experiments.cells;

import dev.acdc.discovery.method.AcdcMethod;

import java.util.function.Supplier;

/**
 * DJL's PyTorch engine lets one gradient collector collect at a time in a JVM, so the jobs of methods that train or
 * take gradients (every method but plain ACDC: SP, HISP, EAP, EAP-IG, Edge Pruning, and EAP-guided ACDC, which
 * attributes with EAP-IG first) run one at a time per JVM, even where a runner starts several jobs at once
 * ({@code local[N]}, or an executor with several cores). ACDC jobs run beside them.
 */
public final class GradientMethods {

    private static final Object COLLECTOR = new Object();

    private GradientMethods() {}

    /** Whether a method (a {@code MethodFactory} name) takes gradients. */
    public static boolean takesGradients(String method) {
        return !method.equals(AcdcMethod.NAME);
    }

    /** Computes {@code work} for a job of {@code method}: alone among gradient jobs of this JVM if the method takes gradients. */
    public static <T> T exclusive(String method, Supplier<T> work) {
        if (!takesGradients(method)) return work.get();
        synchronized (COLLECTOR) {
            return work.get();
        }
    }
}
