import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The volunteer directory of the Riverside Food Pantry, searchable by name. */
public class Solution {
    private static final List<String> COLUMNS = List.of("name", "phone", "address", "role");

    /** Where each column is in the rows, from the names in the first row. */
    static Map<String, Integer> columnPositions(List<String> names) {
        Map<String, Integer> positions = new HashMap<>();
        for (int position = 0; position < names.size(); position++) {
            // >>> TODO[shared_spreadsheet]: map each trimmed, lower-case column name to its position
            // || map each column name to its position
            positions.put(names.get(position).trim().toLowerCase(Locale.ROOT), position);
            // <<<
        }
        return positions;
    }

    /** What the row holds in the column. */
    static String field(List<String> row, Map<String, Integer> positions, String column) {
        // >>> TODO[shared_spreadsheet]: the trimmed cell, or "" when the row is too short for it (or the column is missing)
        // || what the row holds in that column
        Integer position = positions.get(column);
        if (position == null || position >= row.size()) {
            return "";
        }
        return row.get(position).trim();
        // <<<
    }

    /** One record per row that has a name, in sheet order. */
    static List<Map<String, String>> readPeople(List<List<String>> sheet) {
        Map<String, Integer> positions = columnPositions(sheet.get(0));
        List<Map<String, String>> people = new ArrayList<>();
        for (List<String> row : sheet.subList(1, sheet.size())) {
            Map<String, String> person = new HashMap<>();
            for (String column : COLUMNS) {
                person.put(column, field(row, positions, column));
            }
            if (!person.get("name").isEmpty()) {
                people.add(person);
            }
        }
        return people;
    }

    /** The person as a directory entry: name, phone and address. */
    static Map<String, String> directoryEntry(Map<String, String> person) {
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("name", person.get("name"));
        entry.put("phone", person.get("phone"));
        entry.put("address", person.get("address"));
        return entry;
    }

    /** The directory for the viewer: the people whose name contains query (any case), sorted by name. */
    public static List<Map<String, String>> directoryView(List<List<String>> sheet, String viewer, String query) {
        List<Map<String, String>> entries = new ArrayList<>();
        if (sheet.isEmpty()) {
            return entries;
        }
        List<Map<String, String>> people = readPeople(sheet);
        String needle = query.toLowerCase(Locale.ROOT);
        // >>> TODO: keep the matching people, sorted by name (the same name: in sheet order), as directory entries
        people.stream()
                .filter(person -> person.get("name").toLowerCase(Locale.ROOT).contains(needle))
                .sorted(Comparator.comparing((Map<String, String> person) -> person.get("name")))
                .forEach(person -> entries.add(directoryEntry(person)));
        // <<<
        // >>> TODO[contact_privacy]: blank out (null) the phone and address of everyone the viewer may not see
        Map<String, String> viewerRow =
                people.stream().filter(person -> person.get("name").equals(viewer)).findFirst().orElse(null);
        boolean coordinator = viewerRow != null && viewerRow.get("role").toLowerCase(Locale.ROOT).equals("coordinator");
        for (Map<String, String> entry : entries) {
            if (!coordinator && (viewerRow == null || !entry.get("name").equals(viewer))) {
                entry.put("phone", null);
                entry.put("address", null);
            }
        }
        // <<<
        return entries;
    }
}
