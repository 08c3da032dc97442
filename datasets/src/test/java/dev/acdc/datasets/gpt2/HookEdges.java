package dev.acdc.datasets.gpt2;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test-only: circuits.json's raw TransformerLens edges {@code [receiver_hook, index, sender_hook, index, type]} in our notation. */
final class HookEdges {
    private static final Pattern HOOK = Pattern.compile("blocks\\.(\\d+)\\.(.+)");

    private HookEdges() {}

    static String toOurs(JsonArray raw) {
        String receiver = node(raw.get(0).getAsString(), raw.get(1).getAsJsonArray(), true);
        String sender = node(raw.get(2).getAsString(), raw.get(3).getAsJsonArray(), false);
        String type = raw.get(4).getAsString();
        if (type.equals("direct_computation")) return sender + "_input->" + sender.replaceAll("_input$", "");
        if (!type.equals("addition")) throw new IllegalArgumentException("unexpected edge type " + type);
        return sender + "->" + receiver;
    }

    private static String node(String hook, JsonArray index, boolean receiver) {
        Matcher m = HOOK.matcher(hook);
        if (!m.matches()) throw new IllegalArgumentException(hook);
        int layer = Integer.parseInt(m.group(1));
        String rest = m.group(2);
        JsonElement last = index.get(index.size() - 1);
        String head = last.isJsonNull() ? null : "a" + layer + "." + last.getAsInt();
        switch (rest) {
            case "hook_resid_pre": return "embed";
            case "hook_resid_post": return "output";
            case "hook_mlp_out":
            case "hook_mlp_in": return "m" + layer;
            case "attn.hook_result": return head;
            case "hook_q_input": return head + ".q";
            case "hook_k_input": return head + ".k";
            case "hook_v_input": return head + ".v";
            case "attn.hook_q": return head + ".q";
            case "attn.hook_k": return head + ".k";
            case "attn.hook_v": return head + ".v";
            default: throw new IllegalArgumentException("unmapped hook " + hook + (receiver ? " (receiver)" : " (sender)"));
        }
    }
}
