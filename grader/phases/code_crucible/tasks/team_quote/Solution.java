import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Checkout quotes for Tallyo's teams. */
public class Solution {
    private static final List<String> BILLINGS = List.of("monthly", "annual");

    /** The number of different people among the pasted emails: trimmed, any case, blanks ignored. */
    static int countSeats(List<String> members) {
        // >>> TODO: count the distinct non-blank emails, ignoring case and surrounding spaces
        Set<String> emails = new HashSet<>();
        for (String email : members) {
            emails.add(email.trim().toLowerCase(Locale.ROOT));
        }
        emails.remove("");
        return emails.size();
        // <<<
    }

    /** The price per month in cents, for this many seats on this billing. */
    static long monthlyCents(int seats, String billing) {
        long price = 0;
        // >>> TODO[seat_price]: price the seats at the seat price || work out the price per month, in cents
        final long seatPriceCents = 1200; // cr:param seat_price_cents
        price = seats * seatPriceCents;
        // <<<
        // >>> TODO[annual_discount]: take the annual discount off when the team qualifies
        if (billing.equals("annual") && seats >= 5) {
            price = price * (100 - 15) / 100; // cr:param discount_percent
        }
        // <<<
        return price;
    }

    /** The checkout quote {seats, per_month, due_today}, or "invalid". */
    public static Object teamQuote(List<String> members, String billing) {
        int seats = countSeats(members);
        if (seats == 0 || !BILLINGS.contains(billing)) {
            return "invalid";
        }
        // >>> TODO[seat_cap]: send teams above the self-serve limit to sales
        if (seats > 50) { // cr:param seat_cap
            return "contact sales";
        }
        // <<<
        long perMonth = monthlyCents(seats, billing);
        long monthsDue = billing.equals("annual") ? 12 : 1;
        Map<String, Object> quote = new LinkedHashMap<>();
        quote.put("seats", seats);
        quote.put("per_month", perMonth / 100.0);
        quote.put("due_today", perMonth * monthsDue / 100.0);
        return quote;
    }
}
