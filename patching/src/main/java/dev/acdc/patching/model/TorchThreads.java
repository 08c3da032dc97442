package dev.acdc.patching.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's intra-op threads, chosen for the size of the work.
 *
 * <p>On tiny tensors (compiled tracr models: activations of a few thousand floats) a second thread gains nothing:
 * ATen runs an elementwise operation below its grain size of 32,768 elements on the calling thread anyway, and a
 * GEMM of that size takes microseconds. It only costs: every operation that does open an OpenMP parallel region must
 * wait until both threads are scheduled, which on a machine shared with other jobs can take milliseconds (measured
 * here: 12 in-place subtractions of 4.6 MB took 191 ms with two threads under load, 5 ms with one). So small work
 * runs on one thread.
 *
 * <p>The other half of a busy machine is OpenMP's wait policy, which libgomp (the OpenMP runtime DJL's libtorch
 * loads, {@code libgomp-*.so.1}) reads from {@code OMP_WAIT_POLICY} once, when the library loads: a waiting thread
 * that spins takes a core from the thread it waits for. {@code bin/acdc} and the test configuration set
 * {@code OMP_WAIT_POLICY=PASSIVE}; a JVM cannot set its own environment, so {@link #waitPolicy()} only reports it.
 *
 * <p>torch's thread count is per calling thread (OpenMP's nthreads ICV): set it on the thread that runs the work.
 */
public final class TorchThreads {
    /** An activation [rows, d_model] of at most this many floats counts as small: ATen's grain size. */
    public static final long SMALL_ACTIVATION_FLOATS = 1L << 15;

    private static volatile int defaultThreads;

    private TorchThreads() {}

    /** The intra-op threads for a model evaluated on {@code rows} token positions (batch × positions) at once. */
    public static int forModel(TransformerConfig config, long rows) {
        return rows * config.dModel() <= SMALL_ACTIVATION_FLOATS ? 1 : defaultThreads();
    }

    /** libtorch's own thread count, as it was before anything here changed it (the machine's cores by default). */
    public static int defaultThreads() {
        int d = defaultThreads;
        if (d == 0) {
            synchronized (TorchThreads.class) {
                if (defaultThreads == 0) {
                    Engine.getEngine("PyTorch");     // loads libtorch, which decides its count
                    defaultThreads = JniUtils.getNumThreads();
                }
                d = defaultThreads;
            }
        }
        return d;
    }

    /** Sets the calling thread's intra-op threads until the returned handle is closed, which restores the previous count. */
    public static Scope use(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be ≥ 1, found " + threads);
        defaultThreads();
        int previous = JniUtils.getNumThreads();
        if (previous != threads) JniUtils.setNumThreads(threads);
        return new Scope(previous);
    }

    /** The wait policy libgomp was started with: {@code OMP_WAIT_POLICY}, or "unset" (spin for a while, then sleep). */
    public static String waitPolicy() {
        String p = System.getenv("OMP_WAIT_POLICY");
        return p == null ? "unset" : p;
    }

    /** Restores the thread count it was opened over. */
    public static final class Scope implements AutoCloseable {
        private final int previous;

        private Scope(int previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            if (JniUtils.getNumThreads() != previous) JniUtils.setNumThreads(previous);
        }
    }
}
