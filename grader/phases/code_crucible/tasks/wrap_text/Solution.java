import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Wraps a museum label's text into lines that fit the label printer's card. */
public class Solution {
    private static final Pattern WHITESPACE = Pattern.compile("[ \\t\\n\\r]+");

    /** The word cut into pieces of width characters (the last piece may be shorter). */
    static List<String> splitLongWord(String word, int width) {
        List<String> pieces = new ArrayList<>();
        // >>> TODO: cut the word every width characters
        for (int start = 0; start < word.length(); start += width) {
            pieces.add(word.substring(start, Math.min(word.length(), start + width)));
        }
        // <<<
        return pieces;
    }

    /** The words of the text, with every word longer than width already cut into pieces. */
    static List<String> wordsOf(String text, int width) {
        List<String> words = new ArrayList<>();
        for (String word : WHITESPACE.split(text)) {
            if (!word.isEmpty()) {
                words.addAll(splitLongWord(word, width));
            }
        }
        return words;
    }

    /** Greedy wrapping: each line takes as many words as fit, with single spaces between them. */
    public static List<String> wrapText(String text, int width) {
        List<String> lines = new ArrayList<>();
        if (width < 1) {
            return lines;
        }
        StringBuilder current = new StringBuilder();
        for (String word : wordsOf(text, width)) {
            // >>> TODO: start a new line when the word does not fit after the current line's words
            if (current.length() > 0 && current.length() + 1 + word.length() > width) {
                lines.add(current.toString());
                current.setLength(0);
            }
            current.append(current.length() > 0 ? " " : "").append(word);
            // <<<
        }
        if (current.length() > 0) {
            lines.add(current.toString());
        }
        return lines;
    }
}
