/**
 * Tasks from a file of prompts: {@code --task file:PATH} on any model {@code --model} names, so that a researcher
 * can run discovery on their own behaviour without writing Java.
 *
 * <h2>The format</h2>
 * PATH is JSON Lines (UTF-8), one example per line; blank lines are skipped, line numbers count every line.
 * <pre>
 * {"defaults": {"metric": "logit-diff", "positions": [-1], "ground_truth": "truth.txt"}}
 * {"clean_ids": [12, 7, 33, 5], "corrupted_ids": [12, 7, 41, 5], "answer": 33, "wrong_answer": 41}
 * {"clean": "When Mary and John went to the store, John gave a drink to", "corrupted": "...", "answer": " Mary", "wrong_answer": " John"}
 * </pre>
 * <ul>
 *   <li>{@code clean_ids} and {@code corrupted_ids}: token ids; or {@code clean} and {@code corrupted}: text,
 *       encoded with the model's tokenizer ({@code --tokenizer DIR}, else the model directory's), no special
 *       tokens added. Each side picks ids or text on its own.</li>
 *   <li>{@code answer} and {@code wrong_answer} (optional, together, on every line or none): the right and the
 *       wrong next token at the scored position, as an id (a JSON number) or a token's text (a JSON string that
 *       must encode to one token). They enable {@code logit-diff} and {@code prob-diff}.</li>
 *   <li>{@code positions} (optional): the positions scored, 0-based into the example's own tokens, negative
 *       counting from its end; default the last token. With answers, exactly one.</li>
 *   <li>An optional first line {@code {"defaults": {…}}}: {@code metric} (the default {@code --metric}),
 *       {@code positions} (for examples without their own), {@code ground_truth} (a file of edges, relative to
 *       the task file, read by {@link dev.acdc.datasets.file.GroundTruthFile}).</li>
 * </ul>
 * Unknown fields, a field given twice, JSON that is not strictly well formed, ids outside the model's
 * vocabulary, prompts longer than its context, text the tokenizer cannot encode (no tokens, a lone surrogate,
 * text that does not decode back to itself), an answer that is not one token, an example whose clean and
 * corrupted prompts differ in length: each is a {@link dev.acdc.datasets.file.TaskFileException} naming the
 * file, line and field.
 *
 * <h2>Key types</h2>
 * {@link dev.acdc.datasets.file.TaskFile} (the file as written; needs no model),
 * {@link dev.acdc.datasets.file.FileExamples} (encoded, checked against a model's configuration, padded and
 * masked; the padding rule is there), {@link dev.acdc.datasets.file.FileTaskDefinition} (all of it but the
 * weights; what {@code task-info} shows), {@link dev.acdc.datasets.file.FileTask} (the {@code Task}).
 *
 * <h2>Invariants</h2>
 * A file task computes exactly what a built-in task computes on the same token ids, answers and positions: the
 * inputs, scored positions and metrics are built the same way (tested against IOI on the tiny GPT-2 fixture).
 * Every command that takes {@code --task} through {@code dev.acdc.datasets.Tasks} takes a file task; a new
 * command (the faithfulness command, for one) needs nothing from this package beyond that.
 */
package dev.acdc.datasets.file;
