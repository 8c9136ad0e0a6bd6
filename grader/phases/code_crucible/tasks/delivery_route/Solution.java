import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/** The fastest delivery route across town: Dijkstra's algorithm on two-way roads. */
public class Solution {

    /** A place waiting in the queue with the minutes it took to get there. */
    private record Arrival(long minutes, String place) {
    }

    /** For each place, the quickest open road to each neighbour; closed roads are left out. */
    static Map<String, Map<String, Long>> buildMap(List<List<Object>> roads) {
        Map<String, Map<String, Long>> neighbours = new HashMap<>();
        for (List<Object> road : roads) {
            long minutes = ((Number) road.get(2)).longValue();
            if (minutes < 0) {
                continue;
            }
            // >>> TODO: keep the quickest road between the two places, in both directions
            String first = (String) road.get(0);
            String second = (String) road.get(1);
            neighbours.computeIfAbsent(first, place -> new HashMap<>()).merge(second, minutes, Math::min);
            neighbours.computeIfAbsent(second, place -> new HashMap<>()).merge(first, minutes, Math::min);
            // <<<
        }
        return neighbours;
    }

    /** Minutes from start to every reachable place (into best), and where each is best reached from. */
    static void shortestTimes(Map<String, Map<String, Long>> neighbours, String start, Map<String, Long> best,
                              Map<String, String> previous) {
        PriorityQueue<Arrival> queue = new PriorityQueue<>(Comparator.comparingLong(Arrival::minutes));
        best.put(start, 0L);
        queue.add(new Arrival(0, start));
        // >>> TODO: settle the closest unsettled place, then try every road out of it
        while (!queue.isEmpty()) {
            Arrival current = queue.poll();
            if (current.minutes() > best.get(current.place())) {
                continue;
            }
            for (Map.Entry<String, Long> road : neighbours.getOrDefault(current.place(), Map.of()).entrySet()) {
                long arrival = current.minutes() + road.getValue();
                if (arrival < best.getOrDefault(road.getKey(), Long.MAX_VALUE)) {
                    best.put(road.getKey(), arrival);
                    previous.put(road.getKey(), current.place());
                    queue.add(new Arrival(arrival, road.getKey()));
                }
            }
        }
        // <<<
    }

    /** The places from start to goal, following each place back to where it was reached from. */
    static List<String> tracePath(Map<String, String> previous, String start, String goal) {
        List<String> path = new ArrayList<>();
        // >>> TODO: walk back from the goal to the start, then reverse
        path.add(goal);
        while (!path.get(path.size() - 1).equals(start)) {
            path.add(previous.get(path.get(path.size() - 1)));
        }
        Collections.reverse(path);
        // <<<
        return path;
    }

    /** The quickest route as {minutes, path}, or null when goal cannot be reached; roads are [place, place, minutes]. */
    public static Map<String, Object> fastestRoute(List<List<Object>> roads, String start, String goal) {
        Map<String, Long> best = new HashMap<>();
        Map<String, String> previous = new HashMap<>();
        shortestTimes(buildMap(roads), start, best, previous);
        if (!best.containsKey(goal)) {
            return null;
        }
        Map<String, Object> route = new LinkedHashMap<>();
        route.put("minutes", best.get(goal));
        route.put("path", tracePath(previous, start, goal));
        return route;
    }
}
