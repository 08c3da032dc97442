package dev.acdc.datasets.gpt2;

/**
 * One greater-than prompt as the model reads it.
 *
 * @param inputs clean ids and corrupted ids (the {@code YY} token at {@link GreaterThanDataset#YY_POSITION}
 *     replaced by the token of {@code "01"})
 * @param yy the clean start year's last two digits, which the metric thresholds on
 */
public record GreaterThanTokens(TokenizedPair inputs, int yy) {}
