package dev.acdc.experiments;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One in-process run of the {@code acdc} command line, as the CLI tests see it: exit code, stdout, stderr.
 *
 * @param code the exit code
 * @param out  what the command printed on stdout
 * @param err  what it printed on stderr
 */
public record CliRun(int code, String out, String err) {

    /** Runs {@code acdc ARGS…} with captured streams. */
    public static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AcdcCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }
}
