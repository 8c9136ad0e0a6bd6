import java.util.List;
import java.util.Map;

/** Whether a plan fits Baptiste's Grill's budget. */
public class Solution {
    private static final long NEVER_FITS = -1;

    /** Whole cents, so that adding up prices never drifts. */
    static long toCents(double dollars) {
        return Math.round(dollars * 100);
    }

    /** What Tony pays for the item, in cents, or NEVER_FITS when the plan cannot fit with it. */
    static long itemCost(Map<String, Object> item) {
        long price = toCents(((Number) item.get("price")).doubleValue());
        // >>> TODO[budget_200]: refuse an item whose fee bills again (monthly or yearly, above zero)
        if (price > 0 && !"once".equals(item.get("billing"))) {
            return NEVER_FITS;
        }
        // <<<
        // >>> TODO[existing_tablets]: refuse hardware and apps for a newer Android than 7; a per-device app is paid 4 times
        if ("hardware".equals(item.get("kind")) || ((Number) item.get("min_android")).intValue() > 7) {
            return NEVER_FITS;
        }
        if (Boolean.TRUE.equals(item.get("per_device"))) {
            price *= 4;
        }
        // <<<
        return price < 0 ? NEVER_FITS : price;
    }

    /** Whether what Tony pays for the whole plan (budget in dollars) adds up to at most the budget, to the cent. */
    public static boolean planFits(List<Map<String, Object>> plan, double budget) {
        long total = 0;
        for (Map<String, Object> item : plan) {
            long cost = itemCost(item);
            if (cost == NEVER_FITS) {
                return false;
            }
            // >>> TODO: add the item's cost to the running total
            total += cost;
            // <<<
        }
        return total <= toCents(budget);
    }
}
