import java.util.ArrayList;
import java.util.List;

/** The tickets on the kitchen screen at Baptiste's Grill, from the website and the tablets' offline queues. */
public class Solution {

    /**
     * Every [orderId, placedMinute] received, the online ones then each tablet's queue, without the entries from a
     * clock that was never set.
     */
    static List<List<Integer>> received(List<List<Integer>> online, List<List<List<Integer>>> offlineQueues) {
        List<List<Integer>> entries = new ArrayList<>(online);
        offlineQueues.forEach(entries::addAll);
        // >>> TODO: leave out the entries whose clock was never set (a negative minute)
        entries.removeIf(entry -> entry.get(1) < 0);
        // <<<
        return entries;
    }

    /** The order ids on the kitchen screen: at most screenSize of them. */
    public static List<Integer> kitchenQueue(List<List<Integer>> online, List<List<List<Integer>>> offlineQueues,
                                             int screenSize) {
        List<Integer> ids = new ArrayList<>();
        if (screenSize <= 0) {
            return ids;
        }
        List<List<Integer>> tickets = received(online, offlineQueues);
        // >>> TODO[offline_friday]: keep each order id once, at its earliest placed minute
        java.util.Map<Integer, Integer> earliest = new java.util.LinkedHashMap<>();
        tickets.forEach(ticket -> earliest.merge(ticket.get(0), ticket.get(1), Math::min));
        tickets = new ArrayList<>();
        for (java.util.Map.Entry<Integer, Integer> order : earliest.entrySet()) {
            tickets.add(List.of(order.getKey(), order.getValue()));
        }
        // <<<
        // >>> TODO[kitchen_order]: put the oldest first (placed in the same minute: the smaller id first)
        tickets.sort(java.util.Comparator.<List<Integer>>comparingInt(ticket -> ticket.get(1))
                .thenComparingInt(ticket -> ticket.get(0)));
        // <<<
        for (List<Integer> ticket : tickets.subList(0, Math.min(screenSize, tickets.size()))) {
            ids.add(ticket.get(0));
        }
        return ids;
    }
}
