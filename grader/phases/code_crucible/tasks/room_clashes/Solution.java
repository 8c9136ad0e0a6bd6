import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Double-booked meeting rooms: every pair of bookings that clash. */
public class Solution {
    private static final Pattern TIME_PATTERN = Pattern.compile("([0-9]{2}):([0-9]{2})");
    private static final int MINUTES_PER_DAY = 24 * 60;
    private static final int INVALID = -1;
    private static final Comparator<List<Integer>> BY_NUMBERS =
            Comparator.comparing((List<Integer> pair) -> pair.get(0)).thenComparing(pair -> pair.get(1));

    /** A valid booking: its start and end in minutes since midnight, and its id. */
    private record Meeting(int start, int end, int bookingId) {
    }

    /** Minutes since midnight for a valid "HH:MM" from 00:00 to 24:00, otherwise INVALID. */
    static int toMinutes(String text) {
        // >>> TODO: parse two-digit hours and minutes and reject impossible times
        Matcher match = TIME_PATTERN.matcher(text);
        if (!match.matches()) {
            return INVALID;
        }
        int minutes = Integer.parseInt(match.group(2));
        int total = Integer.parseInt(match.group(1)) * 60 + minutes;
        return minutes < 60 && total <= MINUTES_PER_DAY ? total : INVALID;
        // <<<
    }

    /** The valid bookings, grouped by room. */
    static Map<String, List<Meeting>> bookingsByRoom(List<List<Object>> bookings) {
        Map<String, List<Meeting>> rooms = new LinkedHashMap<>();
        for (List<Object> booking : bookings) {
            int start = toMinutes((String) booking.get(2));
            int end = toMinutes((String) booking.get(3));
            if (start != INVALID && end != INVALID && start < end) {
                int bookingId = ((Number) booking.get(0)).intValue();
                rooms.computeIfAbsent((String) booking.get(1), room -> new ArrayList<>())
                        .add(new Meeting(start, end, bookingId));
            }
        }
        return rooms;
    }

    /** The overlapping pairs in one room, by a sweep over the meetings in order of start time. */
    static List<List<Integer>> roomClashes(List<Meeting> meetings) {
        List<List<Integer>> clashes = new ArrayList<>();
        List<Meeting> ongoing = new ArrayList<>(); // the meetings that have not ended yet
        // >>> TODO: sweep by start time; each meeting clashes with every earlier one that has not ended
        meetings.sort(Comparator.comparingInt(Meeting::start));
        for (Meeting meeting : meetings) {
            ongoing.removeIf(other -> other.end() <= meeting.start());
            for (Meeting other : ongoing) {
                int first = Math.min(other.bookingId(), meeting.bookingId());
                clashes.add(List.of(first, Math.max(other.bookingId(), meeting.bookingId())));
            }
            ongoing.add(meeting);
        }
        // <<<
        return clashes;
    }

    /** Every clashing pair as [smallerId, largerId], sorted; bookings are [id, room, "HH:MM", "HH:MM"]. */
    public static List<List<Integer>> findClashes(List<List<Object>> bookings) {
        List<List<Integer>> pairs = new ArrayList<>();
        for (List<Meeting> meetings : bookingsByRoom(bookings).values()) {
            pairs.addAll(roomClashes(meetings));
        }
        pairs.sort(BY_NUMBERS);
        return pairs;
    }
}
