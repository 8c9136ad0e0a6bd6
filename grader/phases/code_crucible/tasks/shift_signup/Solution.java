import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Whether a volunteer may sign up for a shift. */
public class Solution {

    /** Hours within 0-24 and an end after the start. */
    static boolean isValidShift(List<Integer> shift) {
        return shift.get(1) >= 0 && shift.get(1) < shift.get(2) && shift.get(2) <= 24;
    }

    /** Whether two shifts share time on the same day (one ending as the other starts does not count). */
    static boolean overlaps(List<Integer> first, List<Integer> second) {
        // >>> TODO: the same day, and each one starts before the other ends
        return first.get(0).equals(second.get(0)) && first.get(1) < second.get(2) && second.get(1) < first.get(2);
        // <<<
    }

    /** Whether the volunteer may take the shift ([day, startHour, endHour]), given the shifts they have. */
    public static boolean canTakeShift(int age, List<List<Integer>> booked, List<Integer> shift) {
        if (!isValidShift(shift)) {
            return false;
        }
        Set<List<Integer>> distinct = new LinkedHashSet<>(booked);
        if (distinct.stream().anyMatch(other -> overlaps(other, shift))) {
            return false;
        }
        // >>> TODO[shift_rules]: count this week's shifts against the weekly limit, then the late-shift rule for minors
        // || the shift is free: say whether they may take it
        final int maxShifts = 2; // cr:param max_shifts
        final int latestEnd = 20; // cr:param latest_end
        int week = Math.floorDiv(shift.get(0) - 1, 7); // week 0 holds days 1-7, week 1 days 8-14, ...
        long shiftsThisWeek = distinct.stream().filter(other -> Math.floorDiv(other.get(0) - 1, 7) == week).count();
        if (shiftsThisWeek >= maxShifts) {
            return false;
        }
        return age >= 18 || shift.get(2) <= latestEnd;
        // <<<
    }
}
