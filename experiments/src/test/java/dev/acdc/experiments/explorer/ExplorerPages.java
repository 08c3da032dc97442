package dev.acdc.experiments.explorer;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What tests read back from an explorer page: its embedded data, and elements of a DOM that Chromium dumped. */
public final class ExplorerPages {
    private ExplorerPages() {}

    private static final Pattern DATA = Pattern.compile("<script type=\"application/json\" id=\"circuit-data\">(.*?)</script>", Pattern.DOTALL);

    /** The page's embedded JSON. */
    public static JsonObject data(String html) {
        Matcher m = DATA.matcher(html);
        if (!m.find()) throw new AssertionError("no circuit-data script in the page");
        return JsonParser.parseString(m.group(1)).getAsJsonObject();
    }

    public static JsonObject data(Path page) throws IOException {
        return data(Files.readString(page));
    }

    /** An element's attributes (entities decoded), in DOM order, for every start tag that begins {@code <startsWith}. */
    static List<Map<String, String>> elements(String dom, String startsWith) {
        List<Map<String, String>> found = new ArrayList<>();
        Matcher tag = Pattern.compile("<" + Pattern.quote(startsWith) + "[^>]*>").matcher(dom);
        while (tag.find()) {
            Map<String, String> attrs = new LinkedHashMap<>();
            Matcher a = Pattern.compile("([\\w-]+)=\"([^\"]*)\"").matcher(tag.group());
            while (a.find()) attrs.put(a.group(1), unescape(a.group(2)));
            found.add(attrs);
        }
        return found;
    }

    /** The text from the element with id {@code fromId} to the one with id {@code toId} (tags stripped, entities decoded). */
    static String textBetween(String dom, String fromId, String toId) {
        int from = dom.indexOf("id=\"" + fromId + "\""), to = dom.indexOf("id=\"" + toId + "\"");
        if (from < 0 || to < from) throw new AssertionError("no #" + fromId + " before #" + toId + " in the DOM");
        return unescape(dom.substring(dom.indexOf('>', from) + 1, to).replaceAll("<[^>]*>", " ").replaceAll("\\s+", " "));
    }

    private static String unescape(String s) {
        return s.replace("&gt;", ">").replace("&lt;", "<").replace("&quot;", "\"").replace("&amp;", "&");
    }
}
