package dev.acdc.metrics;

/**
 * One point of a ROC curve.
 *
 * @param fpr false positive rate: kept negatives / all negatives of the universe
 * @param tpr true positive rate: kept positives / all positives (the ground truth)
 */
public record RocPoint(double fpr, double tpr) implements Comparable<RocPoint> {

    public RocPoint {
        if (!(fpr >= 0 && fpr <= 1)) throw new IllegalArgumentException("fpr must be in [0, 1], found " + fpr);
        if (!(tpr >= 0 && tpr <= 1)) throw new IllegalArgumentException("tpr must be in [0, 1], found " + tpr);
    }

    /** Whether {@code other} beats this point strictly on both axes (lower FPR and higher TPR). */
    public boolean dominatedBy(RocPoint other) {
        return other.fpr < fpr && other.tpr > tpr;
    }

    /** By FPR, then TPR. */
    @Override
    public int compareTo(RocPoint o) {
        int c = Double.compare(fpr, o.fpr);
        return c != 0 ? c : Double.compare(tpr, o.tpr);
    }
}
