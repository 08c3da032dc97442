package dev.acdc.discovery.method;

import dev.acdc.patching.graph.Circuit;

import java.util.Objects;

/**
 * One circuit a method produced, with the hyperparameter that produced it.
 *
 * @param parameter the hyperparameter's name: {@code threshold} (ACDC, EAP), {@code lambda} (SP), {@code k} (HISP, top-k)
 * @param value     its value
 * @param circuit   the circuit (kept edges)
 */
public record SweepPoint(String parameter, double value, Circuit circuit) {
    public SweepPoint {
        Objects.requireNonNull(parameter, "parameter");
        Objects.requireNonNull(circuit, "circuit");
    }
}
