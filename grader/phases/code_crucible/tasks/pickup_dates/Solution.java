import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The pickup days a customer of Marchetti's Bakery can still order for. */
public class Solution {

    /** Whether the order form sent a real hour of the day (0-23). */
    static boolean isValidHour(int hour) {
        return hour >= 0 && hour <= 23;
    }

    /** The wanted pickup days that can still be ordered, ascending, each once. */
    public static List<Integer> orderableDays(int placedDay, int placedHour, List<Integer> wantedDays,
                                              List<Integer> closedDays) {
        TreeSet<Integer> days = new TreeSet<>();
        if (!isValidHour(placedHour)) {
            return List.copyOf(days);
        }
        // >>> TODO: keep each wanted day that comes after the order day and is not a closed day
        Set<Integer> closed = new HashSet<>(closedDays);
        for (int day : wantedDays) {
            if (day > placedDay && !closed.contains(day)) {
                days.add(day);
            }
        }
        // <<<
        // >>> TODO[order_cutoff]: drop the days too far ahead, and tomorrow once the cutoff hour has passed
        final int cutoffHour = 14; // cr:param cutoff_hour
        final int maxDaysAhead = 7; // cr:param max_days_ahead
        int firstDay = placedDay + (placedHour < cutoffHour ? 1 : 2);
        days.removeIf(day -> day < firstDay || day > placedDay + maxDaysAhead);
        // <<<
        return List.copyOf(days);
    }
}
