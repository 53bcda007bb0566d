package dev.espalier.session.prompts;

import java.util.LinkedHashMap;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the column of a table of rows that holds the prompt text: the one asked for, else the first column with a
 * usual prompt name, else the text column with the longest values on average.
 */
final class TextColumn {

    /** Column names datasets commonly use for the prompt, most specific first. */
    static final List<String> USUAL_NAMES =
            List.of("prompt", "instruction", "question", "query", "input", "text", "content");

    private TextColumn() {
    }

    /** The column among {@code columns} named as prompt columns usually are, most specific name first. */
    static Optional<String> usualName(Collection<String> columns) {
        for (String name : USUAL_NAMES) {
            for (String column : columns) {
                if (column.toLowerCase(Locale.ROOT).equals(name)) {
                    return Optional.of(column);
                }
            }
        }
        return Optional.empty();
    }

    static String detect(List<Map<String, String>> rows, String requested, String source) {
        Map<String, String> columns = new LinkedHashMap<>(); // lower-case → as written
        for (Map<String, String> row : rows) {
            row.keySet().forEach(k -> columns.putIfAbsent(k.toLowerCase(Locale.ROOT), k));
        }
        if (columns.isEmpty()) {
            throw new PromptSourceException(source + " has no columns");
        }
        if (requested != null && !requested.isBlank()) {
            String found = columns.get(requested.toLowerCase(Locale.ROOT));
            if (found == null) {
                throw new PromptSourceException(source + " has no column \"" + requested + "\"; it has "
                        + columns.values());
            }
            return found;
        }
        Optional<String> usual = usualName(columns.values());
        if (usual.isPresent()) {
            return usual.get();
        }
        String best = null;
        double bestLength = 0;
        for (String column : columns.values()) {
            double length = rows.stream().map(r -> r.get(column)).filter(v -> v != null)
                    .mapToInt(String::length).average().orElse(0);
            if (length > bestLength) {
                best = column;
                bestLength = length;
            }
        }
        if (best == null) {
            throw new PromptSourceException(source + " has no column with text in it");
        }
        return best;
    }
}
