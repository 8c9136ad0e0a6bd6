import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Tallyo's monthly invoice, billed on the team's peak number of seats. */
public class Solution {
    private static final List<String> PLANS = List.of("monthly", "annual");

    /** Adds or removes one person; adding a member or removing a stranger changes nothing. */
    static void applyEvent(Set<String> team, String action, String email) {
        if (action.equals("add")) {
            team.add(email);
        } else if (action.equals("remove")) {
            team.remove(email);
        }
    }

    /** The most people on the team at any moment; events of the same day apply in the order listed. */
    static int peakSeats(List<List<Object>> events) {
        Set<String> team = new HashSet<>();
        int peak = 0;
        // >>> TODO: replay the events by day (keeping the listed order within a day) and track the largest team
        List<List<Object>> byDay = new ArrayList<>(events);
        byDay.sort(Comparator.comparingLong(event -> ((Number) event.get(0)).longValue()));
        for (List<Object> event : byDay) {
            applyEvent(team, (String) event.get(1), ((String) event.get(2)).trim().toLowerCase(Locale.ROOT));
            peak = Math.max(peak, team.size());
        }
        // <<<
        return peak;
    }

    /** What the month costs in cents, for the team's peak on this plan. */
    static long invoiceCents(int peak, String plan) {
        long amount = 0;
        // >>> TODO[seat_price]: bill whole seats at the seat price, and at least one seat
        // || work out what the month costs, in cents
        final long seatPriceCents = 1200; // cr:param seat_price_cents
        amount = Math.max(peak, 1) * seatPriceCents;
        // <<<
        // >>> TODO[annual_discount]: take the discount off annual plans of five seats or more
        if (plan.equals("annual") && peak >= 5) {
            amount = amount * (100 - 15) / 100; // cr:param discount_percent
        }
        // <<<
        return amount;
    }

    /** The month's invoice {peak_seats, amount}, or "invalid" for a plan that is neither monthly nor annual. */
    public static Object monthlyInvoice(List<List<Object>> events, String plan) {
        if (!PLANS.contains(plan)) {
            return "invalid";
        }
        int peak = peakSeats(events);
        // >>> TODO[seat_cap]: send a team that outgrew self-serve to sales
        if (peak > 50) { // cr:param seat_cap
            return "contact sales";
        }
        // <<<
        Map<String, Object> invoice = new LinkedHashMap<>();
        invoice.put("peak_seats", peak);
        invoice.put("amount", invoiceCents(peak, plan) / 100.0);
        return invoice;
    }
}
