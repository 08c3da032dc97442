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
}
