import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Plain-text receipts for Marchetti's Bakery, printed from the till without any paid service. */
public class Solution {

    /** One receipt line: an item (name and unit price) with its quantity so far. */
    private static final class Line {
        private final String name;
        private final long price;
        private long quantity;
        // >>> TODO[allergen_labels]: keep the line's allergens, in alphabetical order
        private final java.util.TreeSet<String> allergens = new java.util.TreeSet<>();
        // <<<

        Line(String name, long price) {
            this.name = name;
            this.price = price;
        }
    }

    /** Dollars with two decimals, from a whole number of cents (no floating-point rounding). */
    static String formatMoney(long cents) {
        // >>> TODO: split the cents into dollars and a two-digit remainder
        long remainder = cents % 100;
        return (cents / 100) + (remainder < 10 ? ".0" : ".") + remainder;
        // <<<
    }

    /** One line per item (same name and price), in order of first appearance; voided lines are dropped. */
    static List<Line> mergeLines(List<List<Object>> items) {
        Map<List<Object>, Line> byItem = new LinkedHashMap<>();
        for (List<Object> item : items) {
            String name = (String) item.get(0);
            long quantity = ((Number) item.get(1)).longValue();
            long price = ((Number) item.get(2)).longValue();
            if (quantity <= 0) {
                continue;
            }
            // >>> TODO[allergen_labels]: add the quantity and the lower-case allergens to the line for this name and price
            // || add the quantity to the line for this name and price
            Line line = byItem.computeIfAbsent(List.of(name, price), key -> new Line(name, price));
            line.quantity += quantity;
            for (Object label : (List<?>) item.get(3)) {
                line.allergens.add(((String) label).toLowerCase(java.util.Locale.ROOT));
            }
            // <<<
        }
        return new ArrayList<>(byItem.values());
    }

    /** One receipt line: quantity, name, unit price and line total. */
    static String formatLine(Line line) {
        long lineTotal = line.quantity * line.price;
        String text = line.quantity + " x " + line.name + " @ " + formatMoney(line.price) + " = " + formatMoney(lineTotal);
        // >>> TODO[allergen_labels]: append the allergens in brackets, alphabetically, each once
        if (!line.allergens.isEmpty()) {
            text += " [" + String.join(", ", line.allergens) + "]";
        }
        // <<<
        return text;
    }

    /** The receipt for one sale: a line per item ([name, quantity, price in cents, allergens]), then the total. */
    public static String formatReceipt(List<List<Object>> items) {
        StringBuilder receipt = new StringBuilder();
        long grandTotal = 0;
        for (Line line : mergeLines(items)) {
            receipt.append(formatLine(line)).append('\n');
            grandTotal += line.quantity * line.price;
        }
        return receipt.append("TOTAL ").append(formatMoney(grandTotal)).toString();
    }
}
