import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** The festival's entry plan: the gate and the 15-minute slot in which each booking comes in. */
public class Solution {

    static final int OPENING = 16 * 60; // minutes after midnight
    static final int LAST_SLOT = 22 * 60 + 45;
    static final int SLOT_MINUTES = 15;
    static final Pattern CLOCK = Pattern.compile("[0-9]{2}:[0-9]{2}");

    /** A gate and the start of a slot there. */
    record Entry(String gate, int slot) {
    }

    /** Minutes after midnight of an "HH:MM" time, or -1 when it is not a real time of day. */
    static int arrivalMinutes(String text) {
        // >>> TODO: read "HH:MM" (two digits each, hours 00-23, minutes 00-59); -1 for anything else
        if (!CLOCK.matcher(text).matches()) {
            return -1;
        }
        int hours = Integer.parseInt(text.substring(0, 2));
        int minutes = Integer.parseInt(text.substring(3));
        return hours < 24 && minutes < 60 ? hours * 60 + minutes : -1;
        // <<<
    }

    /** The slot a booking asks for (its start, in minutes), or -1 when the booking is refused. */
    static int askedSlot(List<Object> booking, List<String> gates) {
        int minutes = arrivalMinutes((String) booking.get(1));
        long size = ((Number) booking.get(2)).longValue();
        String gate = (String) booking.get(3);
        boolean unknownGate = !gate.isEmpty() && !gates.contains(gate);
        if (minutes < 0 || minutes >= LAST_SLOT + SLOT_MINUTES || size < 1 || unknownGate) {
            return -1;
        }
        return Math.max(OPENING, minutes - minutes % SLOT_MINUTES);
    }

    /** The gate and slot the party comes in by: its own gate, or the best gate when it chose none; null if none. */
    static Entry chooseEntry(Map<Entry, Long> loads, List<String> gates, List<Object> booking, int slot) {
        long size = ((Number) booking.get(2)).longValue();
        String gate = (String) booking.get(3);
        Entry best = null;
        for (String name : gate.isEmpty() ? gates : List.of(gate)) {
            int entry = slot;
            // >>> TODO[gate_capacity]: go on to the first slot where the whole party fits at this gate, else skip it
            final long capacity = 250; // cr:param gate_capacity
            while (entry <= LAST_SLOT && loads.getOrDefault(new Entry(name, entry), 0L) + size > capacity) {
                entry += SLOT_MINUTES;
            }
            if (entry > LAST_SLOT) {
                continue;
            }
            // <<<
            // >>> TODO: rank the gate by its slot, then by the people already in it, then by its place in the list
            long people = loads.getOrDefault(new Entry(name, entry), 0L);
            if (best == null || entry < best.slot() || entry == best.slot() && people < loads.getOrDefault(best, 0L)) {
                best = new Entry(name, entry);
            }
            // <<<
        }
        return best;
    }

    /** Each booking's entry, "<gate> <HH:MM>", or "refused". */
    public static Map<String, String> entryPlan(List<List<Object>> bookings, List<String> gates) {
        Map<String, String> plan = new HashMap<>();
        List<int[]> queue = new ArrayList<>();
        for (int order = 0; order < bookings.size(); order++) {
            List<Object> booking = bookings.get(order);
            int slot = askedSlot(booking, gates);
            if (slot < 0) {
                plan.put((String) booking.get(0), "refused");
            } else {
                queue.add(new int[] {arrivalMinutes((String) booking.get(1)), order, slot});
            }
        }
        queue.sort(Comparator.<int[]>comparingInt(item -> item[0]).thenComparingInt(item -> item[1]));
        Map<Entry, Long> loads = new HashMap<>();
        // >>> TODO: in order of arrival time (then of sale), give each booking its entry and count its people in
        for (int[] item : queue) {
            List<Object> booking = bookings.get(item[1]);
            Entry entry = chooseEntry(loads, gates, booking, item[2]);
            String id = (String) booking.get(0);
            if (entry == null) {
                plan.put(id, "refused");
                continue;
            }
            loads.merge(entry, ((Number) booking.get(2)).longValue(), Long::sum);
            int slot = entry.slot();
            plan.put(id, String.format(Locale.ROOT, "%s %02d:%02d", entry.gate(), slot / 60, slot % 60));
        }
        // <<<
        return plan;
    }
}
