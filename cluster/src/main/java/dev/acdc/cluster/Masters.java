package dev.acdc.cluster;

import dev.acdc.experiments.BadInputException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --master} values: which forms are accepted, the retry count a local master gets, and whether a remote one
 * answers at all (checked with a plain TCP connection before Spark starts, because Spark's own registration with an
 * absent standalone master retries for a minute before it gives up).
 */
final class Masters {

    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|[1-9][0-9]*)(?:,([1-9][0-9]*))?])?");
    /**
     * Spark's {@code local-cluster[WORKERS,CORES,MEMORY_MB]}: a standalone master and workers in this JVM whose executors
     * are separate JVMs, as on a cluster (they receive the project's jars through {@code spark.jars}); the workers need
     * {@code SPARK_HOME} with Spark's jars in {@code SPARK_HOME/jars}, as a real worker does.
     */
    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[[1-9][0-9]*,\\s*[1-9][0-9]*,\\s*[1-9][0-9]*]");

    /** How long a remote master has to accept a TCP connection. */
    static final int CONNECT_TIMEOUT_MS = 3000;

    private Masters() {}

    /** Whether the master runs executors inside this JVM. */
    static boolean isLocal(String master) {
        return LOCAL.matcher(master).matches();
    }

    /**
     * The master Spark is started with. A local master without a failure count gets {@code maxFailures}: in local mode
     * Spark ignores {@code spark.task.maxFailures} and tries each task once unless the master says {@code local[N,F]},
     * and a cell whose task failed once (a lost executor, here a thread) is to be retried as on a cluster.
     */
    static String normalise(String master, int maxFailures) {
        Matcher m = LOCAL.matcher(master);
        if (!m.matches()) return master;
        String threads = m.group(1) == null ? "1" : m.group(1);
        String failures = m.group(2) == null ? Integer.toString(maxFailures) : m.group(2);
        return "local[" + threads + "," + failures + "]";
    }

    /** Checks the form, and that a standalone or Kubernetes master accepts connections; bad input otherwise. */
    static void check(String master) {
        if (isLocal(master) || LOCAL_CLUSTER.matcher(master).matches()) return;
        List<InetSocketAddress> addresses = new ArrayList<>();
        if (master.startsWith("spark://")) {
            for (String hostPort : master.substring("spark://".length()).split(",")) addresses.add(address(master, hostPort, -1));
        } else if (master.startsWith("k8s://")) {
            String api = master.substring("k8s://".length());
            if (!api.contains("://")) api = "https://" + api;
            URI uri;
            try {
                uri = URI.create(api);
            } catch (IllegalArgumentException e) {
                throw bad(master, "expected k8s://https://HOST:PORT");
            }
            if (uri.getHost() == null) throw bad(master, "expected k8s://https://HOST:PORT");
            addresses.add(new InetSocketAddress(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 443));
        } else {
            throw bad(master, "expected local, local[N], local[N,F], local-cluster[W,C,MB], spark://HOST:PORT or k8s://https://HOST:PORT");
        }
        List<String> refused = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            try (Socket s = new Socket()) {
                s.connect(a, CONNECT_TIMEOUT_MS);
                return;   // one master of a high-availability list is enough: Spark finds the leader
            } catch (IOException e) {
                refused.add(a.getHostString() + ":" + a.getPort() + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
            }
        }
        throw bad(master, "cannot connect to " + String.join(", ", refused) + "; is the master running and reachable from here?");
    }

    private static InetSocketAddress address(String master, String hostPort, int defaultPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) throw bad(master, "expected spark://HOST:PORT");
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = defaultPort;
        }
        if (port < 1 || port > 65535) throw bad(master, "expected spark://HOST:PORT with a port from 1 to 65535");
        return new InetSocketAddress(hostPort.substring(0, colon), port);
    }

    static BadInputException bad(String master, String why) {
        return new BadInputException("--master " + master + ": " + why);
    }
}
