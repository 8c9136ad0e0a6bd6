import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A notice for the tenants, filled in from the landlord's templates. */
public class Solution {

    static final Pattern BLANK = Pattern.compile("\\{([A-Z0-9_]+)\\}");

    /** The template with every {NAME} that has a value replaced by it, in one pass. */
    static String fillBlanks(String template, Map<String, String> values) {
        // >>> TODO: replace every {NAME} that has a value; leave the others as written
        Matcher matcher = BLANK.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = values.getOrDefault(matcher.group(1), matcher.group());
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return matcher.appendTail(out).toString();
        // <<<
    }

    /** Each language's template, trimmed, by lower-case code: blank ones do not count, the first one wins. */
    static Map<String, String> textsByLanguage(Map<String, String> templates) {
        Map<String, String> texts = new LinkedHashMap<>();
        // >>> TODO: keep the first non-blank template of each lower-case language code, trimmed
        for (Map.Entry<String, String> template : templates.entrySet()) {
            if (!template.getValue().isBlank()) {
                texts.putIfAbsent(template.getKey().toLowerCase(Locale.ROOT), template.getValue().strip());
            }
        }
        // <<<
        return texts;
    }

    /** The notice to send: one block per language, "[CODE] text", one block per line. */
    public static String tenantNotice(Map<String, String> templates, Map<String, String> values) {
        Map<String, String> texts = textsByLanguage(templates);
        Map<String, String> blocks = new LinkedHashMap<>();
        // >>> TODO[three_languages]: English, Spanish then Polish, the English text standing in for a missing one
        // || put every language and its text into blocks, in alphabetical order of the code
        String english = texts.getOrDefault("en", "");
        for (String code : List.of("en", "es", "pl")) {
            blocks.put(code, texts.getOrDefault(code, english));
        }
        // <<<
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, String> block : blocks.entrySet()) {
            if (!block.getValue().isEmpty()) {
                lines.add("[" + block.getKey().toUpperCase(Locale.ROOT) + "] " + fillBlanks(block.getValue(), values));
            }
        }
        return String.join("\n", lines);
    }
}
