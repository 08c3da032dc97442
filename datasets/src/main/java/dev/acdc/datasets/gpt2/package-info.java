/**
 * The data side of ACDC's three language-model benchmarks: prompt generators that reproduce the ACDC
 * code's prompts exactly, and the published circuits as edge sets.
 *
 * <ul>
 *   <li>IOI (GPT-2 small): {@link dev.acdc.datasets.gpt2.IoiDataset} (clean ABBA prompts and the ABC
 *       corruption), {@link dev.acdc.datasets.gpt2.IoiCircuit}.</li>
 *   <li>Greater-than (GPT-2 small): {@link dev.acdc.datasets.gpt2.GreaterThanDataset},
 *       {@link dev.acdc.datasets.gpt2.GreaterThanYears} (the year list and two-digit tokens, derived
 *       from the tokenizer), {@link dev.acdc.datasets.gpt2.GreaterThanCircuit}.</li>
 *   <li>Docstring (attn-only-4l): {@link dev.acdc.datasets.gpt2.DocstringDataset},
 *       {@link dev.acdc.datasets.gpt2.DocstringCircuit}.</li>
 * </ul>
 *
 * <p>Values are records: prompts as text ({@link dev.acdc.datasets.gpt2.IoiPrompt},
 * {@link dev.acdc.datasets.gpt2.GreaterThanPrompt}, {@link dev.acdc.datasets.gpt2.DocstringPrompt}),
 * token ids from any {@link dev.acdc.patching.load.TextTokenizer}
 * ({@link dev.acdc.datasets.gpt2.TokenizedPair} inside {@code IoiTokens}, {@code GreaterThanTokens},
 * {@code DocstringTokens}), circuits as {@link dev.acdc.datasets.gpt2.CanonicalCircuit} over
 * {@link dev.acdc.datasets.gpt2.EdgeName}s in the project notation ({@code a0.1->a3.0.k}).
 *
 * <p>Invariants: generation uses the ports in {@link dev.acdc.datasets.random} call for call, so the
 * same seed gives ACDC's prompts; word lists and templates are resources beside this package (copied
 * from the ACDC code, provenance in each file's header); nothing generated is stored. Circuits are
 * derived from their group definitions as ACDC's {@code get_*_true_edges} do, and every circuit edge is
 * an edge of the full graph. No {@code Task}, model or metric lives here.
 */
package dev.acdc.datasets.gpt2;
