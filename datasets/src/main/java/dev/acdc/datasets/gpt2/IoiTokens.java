package dev.acdc.datasets.gpt2;

/**
 * One IOI prompt as the model reads it: both inputs without the final name token, and the answer ids.
 *
 * @param inputs clean and corrupted input ids (15 for the ACDC template)
 * @param ioTokenId the correct answer, the first token of {@code " " + IO}
 * @param sTokenId the wrong answer, the first token of {@code " " + S}
 */
public record IoiTokens(TokenizedPair inputs, int ioTokenId, int sTokenId) {}
