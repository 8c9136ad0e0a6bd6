import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Where the spelling app opens at each turn on the classroom tablets. */
public class Solution {

    static final long LIST_COUNT = 30; // cr:param list_count

    /** Whose lists a turn ([tablet number, class code, child number, lists finished]) counts towards. */
    static Object turnOwner(List<Object> turn) {
        // >>> TODO[shared_tablets]: count a turn's lists under the child (class code and number), whatever the tablet
        // || count a turn's lists under its tablet number
        return List.of(turn.get(1), turn.get(2));
        // <<<
    }

    /** The spelling list the app opens at the start of each turn, in the order of the turns. */
    public static List<Long> turnLists(List<List<Object>> turns) {
        Map<Object, Long> finished = new HashMap<>();
        List<Long> opened = new ArrayList<>();
        for (List<Object> turn : turns) {
            Object owner = turnOwner(turn);
            long done = finished.getOrDefault(owner, 0L);
            // >>> TODO: open the list after those finished so far (at most the last one), then add this turn's lists
            opened.add(Math.min(done + 1, LIST_COUNT));
            finished.put(owner, done + Math.max(((Number) turn.get(3)).longValue(), 0));
            // <<<
        }
        return opened;
    }
}
