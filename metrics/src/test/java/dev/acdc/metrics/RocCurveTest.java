package dev.acdc.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RocCurveTest {

    private static RocPoint p(double fpr, double tpr) {
        return new RocPoint(fpr, tpr);
    }

    @Test
    void hand_computed_example_gives_pessimistic_and_trapezoidal_auc() {
        RocCurve c = RocCurve.of(List.of(p(0.1, 0.5), p(0.2, 0.4), p(0.3, 0.8), p(0.5, 0.8), p(0.6, 0.7)));
        assertEquals(List.of(p(0, 0), p(0.1, 0.5), p(0.3, 0.8), p(0.5, 0.8), p(1, 1)), c.frontier());
        // (1-0.1)(0.5-0) + (1-0.3)(0.8-0.5) + (1-0.5)(0) + (1-1)(0.2) = 0.45 + 0.21
        assertEquals(0.66, c.pessimisticAuc(), 1e-12);
        // 0.1·0.5/2 + 0.2·1.3/2 + 0.2·1.6/2 + 0.5·1.8/2
        assertEquals(0.765, c.trapezoidalAuc(), 1e-12);
    }

    static Stream<Arguments> acdcAsserts() {
        // the assertions under pessimistic_auc in the ACDC repository, endpoints included in the input
        return Stream.of(
                Arguments.of(new double[] {0, 1}, new double[] {0, 1}, 0.0),
                Arguments.of(new double[] {0, 0.5, 1}, new double[] {0, 0.5, 1}, 0.25),
                Arguments.of(new double[] {0, 0.25, 1}, new double[] {0, 0.25, 1}, 0.25 * 0.75),
                Arguments.of(new double[] {0, 0.25, 0.5, 1}, new double[] {0, 0.25, 0.5, 1}, 5.0 / 16),
                Arguments.of(new double[] {0, 0.25, 0.75, 1}, new double[] {0, 0.25, 0.5, 1}, 4.0 / 16));
    }

    @ParameterizedTest
    @MethodSource("acdcAsserts")
    void pessimistic_auc_matches_acdc_reference_values(double[] xs, double[] ys, double auc) {
        List<RocPoint> pts = new java.util.ArrayList<>();
        for (int i = 0; i < xs.length; i++) pts.add(p(xs[i], ys[i]));
        assertEquals(auc, RocCurve.of(pts).pessimisticAuc(), 1e-12);
    }

    @Test
    void endpoints_are_added_so_an_empty_curve_is_the_diagonal() {
        RocCurve c = RocCurve.of(List.of());
        assertEquals(List.of(p(0, 0), p(1, 1)), c.frontier());
        assertEquals(0.0, c.pessimisticAuc());
        assertEquals(0.5, c.trapezoidalAuc(), 1e-12);
    }

    @Test
    void a_perfect_point_gives_auc_one() {
        RocCurve c = RocCurve.of(List.of(p(0, 1)));
        assertEquals(List.of(p(0, 0), p(0, 1), p(1, 1)), c.frontier());
        assertEquals(1.0, c.pessimisticAuc(), 1e-12);
        assertEquals(1.0, c.trapezoidalAuc(), 1e-12);
    }

    @Test
    void only_strictly_dominated_points_are_removed() {
        // same FPR, lower TPR: kept (ACDC compares x1 < x strictly); same TPR, higher FPR: kept
        RocCurve c = RocCurve.of(List.of(p(0.2, 0.5), p(0.2, 0.3), p(0.4, 0.5), p(0.5, 0.4)));
        assertEquals(List.of(p(0, 0), p(0.2, 0.3), p(0.2, 0.5), p(0.4, 0.5), p(1, 1)), c.frontier());
        assertEquals(0.8 * 0.5 + 0 * 0.5, c.pessimisticAuc(), 1e-12);
    }

    @Test
    void duplicate_points_count_once() {
        RocCurve c = RocCurve.of(List.of(p(0.5, 0.5), p(0.5, 0.5), p(0, 0)));
        assertEquals(3, c.frontier().size());
    }

    @Test
    void rates_outside_the_unit_interval_are_rejected() {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> p(1.2, 0.5));
        assertEquals("fpr must be in [0, 1], found 1.2", ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p(0.5, Double.NaN));
    }
}
