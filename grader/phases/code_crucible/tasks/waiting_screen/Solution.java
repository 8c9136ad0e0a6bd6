import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The lines of the waiting-room screen: who is called now, who comes next, and the notice typed for it. */
public class Solution {

    static final int NEXT_COUNT = 3; // cr:param next_count

    /** The ticket called last, among the tickets that checked in. */
    static String nowLine(List<Integer> called, List<Integer> checkedIn) {
        // >>> TODO: find the last called ticket that checked in ("NOW -" when there is none)
        Set<Integer> known = new HashSet<>(checkedIn);
        for (int index = called.size() - 1; index >= 0; index--) {
            if (known.contains(called.get(index))) {
                return "NOW " + called.get(index);
            }
        }
        // <<<
        return "NOW -";
    }

    /** The next people waiting: checked in and never called, in the order they arrived. */
    static String nextLine(List<Integer> called, List<Integer> checkedIn) {
        List<String> waiting = new ArrayList<>();
        // >>> TODO: keep the first tickets that were never called
        Set<Integer> done = new HashSet<>(called);
        for (int ticket : checkedIn) {
            if (!done.contains(ticket) && waiting.size() < NEXT_COUNT) {
                waiting.add(String.valueOf(ticket));
            }
        }
        // <<<
        return waiting.isEmpty() ? "NEXT -" : "NEXT " + String.join(" ", waiting);
    }

    // >>> TODO[no_names_on_screen]: write hideNames(words, patients): initials and ticket wherever a name was
    static final String TRAILING_MARKS = "[,.!?:;]+$";

    /**
     * Each full name and each first name (lower case, words one space apart) with the initials and ticket of the
     * first patient to check in with it; a full name wins over someone else's first name.
     */
    static Map<String, String> nameLabels(List<List<Object>> patients) {
        Map<String, String> labels = new HashMap<>();
        Map<String, String> firstNames = new LinkedHashMap<>();
        for (List<Object> patient : patients) {
            String fullName = ((String) patient.get(1)).strip();
            if (!fullName.isEmpty()) {
                String[] words = fullName.split("\\s+");
                StringBuilder initials = new StringBuilder();
                for (String word : words) {
                    String first = Character.toString(word.codePointAt(0));
                    initials.append(first.toUpperCase(java.util.Locale.ROOT)).append('.');
                }
                String key = String.join(" ", words).toLowerCase(java.util.Locale.ROOT);
                labels.putIfAbsent(key, initials + " " + ((Number) patient.get(0)).intValue());
                firstNames.putIfAbsent(words[0].toLowerCase(java.util.Locale.ROOT), key);
            }
        }
        firstNames.forEach((first, key) -> labels.putIfAbsent(first, labels.get(key)));
        return labels;
    }

    /** How many words the longest name starting at {@code position} takes, and their replacement, or null. */
    static Map.Entry<Integer, String> labelAt(List<String> words, int position, Map<String, String> labels,
                                              int longest) {
        for (int size = Math.min(longest, words.size() - position); size > 0; size--) {
            String last = words.get(position + size - 1);
            String bare = last.replaceAll(TRAILING_MARKS, "");
            List<String> parts = new ArrayList<>(words.subList(position, position + size - 1));
            parts.add(bare);
            String key = String.join(" ", parts).toLowerCase(java.util.Locale.ROOT);
            if (!bare.isEmpty() && labels.containsKey(key)) {
                return Map.entry(size, labels.get(key) + last.substring(bare.length()));
            }
        }
        return null;
    }

    /** The notice's words with every patient's name replaced by their initials and ticket. */
    static List<String> hideNames(List<String> words, List<List<Object>> patients) {
        Map<String, String> labels = nameLabels(patients);
        int longest = 0;
        for (String name : labels.keySet()) {
            longest = Math.max(longest, name.split(" ").length);
        }
        List<String> out = new ArrayList<>();
        int position = 0;
        while (position < words.size()) {
            Map.Entry<Integer, String> found = labelAt(words, position, labels, longest);
            out.add(found == null ? words.get(position) : found.getValue());
            position += found == null ? 1 : found.getKey();
        }
        return out;
    }
    // <<<

    /** The screen's lines: who is called now, who comes next, then the notice unless it is blank. */
    public static List<String> waitingScreen(List<List<Object>> patients, List<Integer> called, String notice) {
        Set<Integer> arrived = new LinkedHashSet<>();
        for (List<Object> patient : patients) {
            arrived.add(((Number) patient.get(0)).intValue());
        }
        List<Integer> checkedIn = new ArrayList<>(arrived);
        List<String> lines = new ArrayList<>(List.of(nowLine(called, checkedIn), nextLine(called, checkedIn)));
        List<String> words = notice.isBlank() ? List.of() : List.of(notice.strip().split("\\s+"));
        // >>> TODO[no_names_on_screen]: swap every patient's name in the notice for their initials and ticket
        words = hideNames(words, patients);
        // <<<
        if (!words.isEmpty()) {
            lines.add(String.join(" ", words));
        }
        return lines;
    }
}
