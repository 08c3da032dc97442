/**
 * The computational graph at edge granularity, exactly as ACDC counts it, and circuits over it.
 *
 * <p>Key types: {@link dev.acdc.patching.graph.CircuitGraph} (nodes, edges, stable ids, ACDC's orders;
 * a JGraphT DAG view plus arrays for inner loops), {@link dev.acdc.patching.graph.Circuit} (an immutable
 * bit set of kept edges with optional scores), {@link dev.acdc.patching.graph.Node},
 * {@link dev.acdc.patching.graph.Edge}, {@link dev.acdc.patching.graph.SenderOrder}.
 *
 * <h2>Nodes and notation</h2>
 * <pre>
 * name            kind         hook point                                 role
 * embed           EMBED        blocks.0.hook_resid_pre                    sender (GPT-2 style: one embedding node)
 * tok_embed       TOK_EMBED    hook_embed                                 sender (tracr: two embedding nodes)
 * pos_embed       POS_EMBED    hook_pos_embed                             sender (tracr)
 * aL.H            HEAD_OUTPUT  blocks.L.attn.hook_result[:, :, H]         sender
 * aL.H.q|k|v      HEAD_INPUT   blocks.L.hook_q_input[:, :, H] (k, v)      residual receiver; sender of a direct edge
 * aL.H.hook_q|k|v HEAD_QKV     blocks.L.attn.hook_q[:, :, H]  (k, v)      receiver of a direct edge
 * mL              MLP_IN       blocks.L.hook_mlp_in                       residual receiver
 * mL              MLP_OUT      blocks.L.hook_mlp_out                      sender
 * output          OUTPUT       blocks.(n-1).hook_resid_post               residual receiver
 * aL.kvG.k|v      HEAD_INPUT   blocks.L.hook_k_input[:, :, G] (v)         grouped-query attention: per key/value group
 * aL.kvG.hook_k|v HEAD_QKV     blocks.L.attn.hook_k[:, :, G]  (v)         grouped-query attention: per key/value group
 * </pre>
 * An edge is written {@code sender->receiver}; the sender's name is read as a sender and the receiver's as
 * a receiver, which resolves {@code mL}. Residual edge: {@code a0.1->a3.0.k} (head 0.1's output into head
 * 3.0's key input). Direct-computation edge: {@code a3.0.k->a3.0.hook_k} (head 3.0's key input into its
 * computed key, ACDC's {@code hook_k_input -> attn.hook_k}).
 *
 * <h2>Edges</h2>
 * <ul>
 *   <li>ADDITION: from every sender to every later receiver: an embedding to every receiver; a head of
 *       layer i to the q/k/v inputs of layers j &gt; i, the MLP inputs of layers j ≥ i and the output;
 *       an MLP of layer i to the q/k/v inputs and MLP inputs of layers j &gt; i and the output.</li>
 *   <li>DIRECT: {@code aL.H.c -> aL.H.hook_c} for c in q, k, v.</li>
 *   <li>PLACEHOLDER (kept in the graph, never tested nor counted): {@code aL.H.hook_c -> aL.H} and MLP
 *       input to MLP output.</li>
 * </ul>
 * Counts: GPT-2 small 32,923 tested edges (32,491 addition + 432 direct); attention-only 2 layers × 8 heads
 * 305; 4 layers × 8 heads 1,377.
 *
 * <h2>Model families (issue 17)</h2>
 * <ul>
 *   <li>Parallel residual (Pythia, GPT-NeoX): {@code resid_post = resid_pre + attn(resid_pre) + mlp(resid_pre)}, so
 *       the MLP of layer L reads only the senders before layer L; the edges {@code aL.H -> mL} do not exist. Nothing
 *       else changes (the MLP of layer L still sends to layer L+1 and on).</li>
 *   <li>Grouped-query attention (Llama, Qwen2, Gemma with fewer key/value heads than query heads, G &lt; H): a key
 *       and a value are computed once per key/value group, so the k and v receivers exist per group: the inputs
 *       {@code aL.kvG.k}, {@code aL.kvG.v}, the computed {@code aL.kvG.hook_k}, {@code aL.kvG.hook_v}, the direct
 *       edges {@code aL.kvG.k -> aL.kvG.hook_k} (v alike); q stays per head ({@code aL.H.q}, {@code aL.H.hook_q}).
 *       Query head h reads group {@code h / (H/G)} (transformers' {@code repeat_kv}); the placeholders
 *       {@code aL.kvG.hook_k -> aL.H} and {@code aL.kvG.hook_v -> aL.H} join a group to each of its heads. A group
 *       receives from exactly the senders a q input of its layer receives. Our choice: nodes per group rather than
 *       per head, because per-head k/v inputs would claim a freedom the model has not (two heads of one group cannot
 *       see different keys). With G = H (Pythia, GPT-2) the per-head names stay. Node-level ROC merges a group's
 *       four nodes into the component {@code aL.kvG}.</li>
 *   <li>Post-norms (Gemma 2: {@code attn_out = g ⊙ (Σ_h result_h + b_O) / rms}, the MLP's alike): the graph is the
 *       sequential one, unchanged. Our definition (a deviation from hannamw/EAP-IG, see
 *       {@link dev.acdc.patching.patch.PostNormScales}): with each post-norm's rms fixed to the clean run's value per
 *       (row, position), the layer's output is linear, and head h sends its share {@code g ⊙ result_h / rms_clean}
 *       (the MLP {@code g ⊙ mlp_raw / rms_clean}); the bias's share goes with the layer, as b_O does elsewhere. So an
 *       edge {@code aL.H -> r} carries head H's share, and every edge of the graph stays where a model without
 *       post-norms has it. gemma-2-2b (L 26, H 8, G 4, R 16): 443 + 44,616 + 5,551 + 416 = 51,026.</li>
 * </ul>
 * The tested edges of L layers, H query heads, G key/value groups, R = H + 2G q/k/v input receivers per layer,
 * M = 1 with MLPs (0 attention-only), p = 1 for a parallel residual (0 sequential), E embedding nodes:
 * <pre>
 * E·(1 + M·L + R·L)                                 embedding(s) → output, every MLP input, every q/k/v input
 * + H·(R·L(L−1)/2 + M·(L(L+1)/2 − p·L) + L)         heads → later q/k/v inputs, MLP inputs (same layer unless p), output
 * + M·((R+1)·L(L−1)/2 + L)                          MLPs → later q/k/v and MLP inputs, output
 * + R·L                                             direct edges
 * </pre>
 * GPT-2 small (L 12, H = G 12, R 36, M 1, p 0): 445 + 29,592 + 2,454 + 432 = 32,923. Pythia-70m (L 6, H = G 8,
 * R 24, p 1): 151 + 3,048 + 381 + 144 = 3,724. Qwen2.5-0.5B (L 24, H 14, G 2, R 18, p 0): 457 + 74,088 + 5,268 +
 * 432 = 80,245.
 *
 * <h2>Orders and ids</h2>
 * Receivers are processed as ACDC walks its node dictionary after {@code reverse_topologically_sort_corr}
 * (acdc/TLACDCExperiment.py at bc99ace8): the hook names in the reverse of the order in which TransformerLens
 * 1.6.1 fires them, and within one hook name the nodes as {@code TLACDCCorrespondence.setup_from_model}
 * inserted them, highest head first. A TL 1.6.1 block fires {@code hook_resid_pre}; {@code hook_q_input},
 * {@code hook_k_input}, {@code hook_v_input}; {@code attn.hook_q}, {@code attn.hook_k}, {@code attn.hook_v};
 * …; {@code attn.hook_result}; …; {@code hook_mlp_in}; {@code hook_mlp_out}; {@code hook_resid_post}
 * (components.py, {@code TransformerBlock.forward} and {@code Attention.forward}). Reversed, the receivers
 * come as: {@code output}; then per layer from the last down: the MLP input; the computed v of every head
 * (highest index first), then every computed k, then every computed q; then every v input, every k input,
 * every q input (each highest head first). With grouped-query attention the same order holds with groups in
 * place of heads for k and v: {@code a23.kv1.hook_v}, {@code a23.kv0.hook_v}, {@code a23.kv1.hook_k},
 * {@code a23.kv0.hook_k}, {@code a23.13.hook_q} … {@code a23.0.hook_q}, {@code a23.kv1.v} … {@code a23.0.q}
 * (reference-derived: TL fires {@code hook_k_input} and {@code attn.hook_k} for every group at once, as for every
 * head). The MLP input of a parallel-residual layer keeps its place (first of its layer). Example, attention-only 2 layers × 8 heads: {@code output},
 * {@code a1.7.hook_v} … {@code a1.0.hook_v}, {@code a1.7.hook_k} … {@code a1.0.hook_q}, {@code a1.7.v} …
 * {@code a1.0.v}, {@code a1.7.k} …, {@code a1.0.q}, {@code a0.7.hook_v}, …. A receiver's senders come in ACDC's default order: later layers first, within a layer the
 * MLP before the heads, heads from the highest index down, the embedding(s) last (token before position).
 * {@link dev.acdc.patching.graph.SenderOrder} offers ACDC's other orders. Tested edge ids are
 * {@code 0..edgeCount()-1} in exactly this testing order; placeholders follow. Ids depend only on the
 * config's shape.
 *
 * <h2>Node-level ROC</h2>
 * A circuit's nodes are the nodes touching a kept edge, merged by a {@link dev.acdc.patching.graph.NodeMerging}:
 * {@code COMPONENTS} (the paper's description: q/k/v into the head {@code aL.H}, MLP input into {@code mL})
 * or {@code ACDC_CODE} (what ACDC's {@code filter_nodes} actually counts: nothing merged, so a head's inputs
 * {@code aL.H.q|k|v}, its computed {@code aL.H.hook_q|hook_k|hook_v} and its output {@code aL.H} are seven nodes;
 * MLP inputs dropped).
 *
 * <p>Invariants: graphs and circuits are immutable; {@code edges().get(i).id() == i}; every edge goes
 * from an earlier to a later node in {@link dev.acdc.patching.graph.CircuitGraph#nodes()}.
 */
package dev.acdc.patching.graph;
