package dev.acdc.discovery.method;

/**
 * A circuit-discovery method: ACDC, SP, HISP, EAP or EAP-IG. A method's own settings (thresholds, λ
 * values, epochs, integration steps) are given to its constructor; {@link #discover} is deterministic for a
 * given problem (including its seed).
 */
public interface DiscoveryMethod {

    /** The CLI name, e.g. {@code eap-ig}. */
    String name();

    MethodResult discover(DiscoveryProblem problem);

    /**
     * This method reporting its steps as it works: one short line per step (ACDC's thresholds, SP's λ values and
     * epochs, HISP's gradient pass and sweep, EAP's and EAP-IG's gradient passes), for a progress line to show after
     * the method's name. The lines never change the result. A method without steps of its own returns itself.
     */
    default DiscoveryMethod withProgress(java.util.function.Consumer<String> progress) {
        return this;
    }
}
