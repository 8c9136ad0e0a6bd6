import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What each car owes the car park: a rate per started hour, capped per day, short stays free. */
public class Solution {
    private static final long FREE_MINUTES = 15; // cr:param free_minutes
    private static final long HOURLY_RATE = 3; // cr:param hourly_rate
    private static final long DAILY_CAP = 20; // cr:param daily_cap
    private static final long MINUTES_PER_DAY = 24 * 60;

    /** The fee in dollars for one stay of the given length in minutes. */
    static long stayFee(long minutes) {
        // >>> TODO: short stays are free; otherwise whole days at the cap, plus started hours (capped) for the rest
        if (minutes <= FREE_MINUTES) {
            return 0;
        }
        long fullDays = minutes / MINUTES_PER_DAY;
        long startedHours = (minutes % MINUTES_PER_DAY + 59) / 60;
        return fullDays * DAILY_CAP + Math.min(startedHours * HOURLY_RATE, DAILY_CAP);
        // <<<
    }

    /** The total each plate owes, from sessions [plate, entryMinute, exitMinute]; bad sessions are ignored. */
    public static Map<String, Long> parkingFees(List<List<Object>> sessions) {
        Map<String, Long> totals = new LinkedHashMap<>();
        for (List<Object> session : sessions) {
            String plate = (String) session.get(0);
            long entryMinute = ((Number) session.get(1)).longValue();
            long exitMinute = ((Number) session.get(2)).longValue();
            // >>> TODO: add the fee of each valid stay to its plate's total
            if (exitMinute >= entryMinute) {
                totals.merge(plate, stayFee(exitMinute - entryMinute), Long::sum);
            }
            // <<<
        }
        return totals;
    }
}
