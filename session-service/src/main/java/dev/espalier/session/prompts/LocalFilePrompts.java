package dev.espalier.session.prompts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prompts from a local file, by extension: {@code .txt} one prompt per non-blank line; {@code .jsonl} one JSON object
 * per line (or one JSON string per line); {@code .csv} with a header row (RFC 4180 quoting). For tables the text
 * column is the one named, else detected ({@link TextColumn}).
 */
public final class LocalFilePrompts {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalFilePrompts() {
    }

    public static List<String> load(Path file, String textColumn) {
        return read(file, textColumn).prompts();
    }

    /** The file's prompts in file order, with the table column they came from (null for plain lines). */
    public static PromptFile read(Path file, String textColumn) {
        if (!Files.isRegularFile(file)) {
            throw new PromptSourceException("prompt file " + file + " does not exist or is not a file");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PromptSourceException("cannot read prompt file " + file + ": " + e.getMessage(), e);
        }
        PromptFile prompts;
        if (name.endsWith(".txt")) {
            prompts = new PromptFile(text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList(), null);
        } else if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            prompts = fromJsonLines(text, textColumn, file.toString());
        } else if (name.endsWith(".csv")) {
            prompts = fromTable(Csv.parse(text, file.toString()), textColumn, file.toString());
        } else {
            throw new PromptSourceException("prompt file " + file + " must end in .txt, .jsonl or .csv");
        }
        if (prompts.prompts().isEmpty()) {
            throw new PromptSourceException("prompt file " + file + " holds no prompts");
        }
        return prompts;
    }

    static PromptFile fromJsonLines(String text, String textColumn, String source) {
        List<Map<String, String>> rows = new ArrayList<>();
        List<String> plain = new ArrayList<>();
        int lineNumber = 0;
        for (String line : text.lines().toList()) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                throw new PromptSourceException(source + " line " + lineNumber + " is not JSON", e);
            }
            if (node.isTextual()) {
                plain.add(node.asText());
            } else if (node.isObject()) {
                Map<String, String> row = new LinkedHashMap<>();
                node.properties().forEach(f -> {
                    if (f.getValue().isTextual()) {
                        row.put(f.getKey(), f.getValue().asText());
                    }
                });
                rows.add(row);
            } else {
                throw new PromptSourceException(source + " line " + lineNumber + " is neither an object nor a string");
            }
        }
        if (!plain.isEmpty() && !rows.isEmpty()) {
            throw new PromptSourceException(source + " mixes JSON strings and objects");
        }
        return plain.isEmpty() ? fromTable(rows, textColumn, source) : new PromptFile(plain, null);
    }

    static PromptFile fromTable(List<Map<String, String>> rows, String textColumn, String source) {
        if (rows.isEmpty()) {
            return new PromptFile(List.of(), null);
        }
        String column = TextColumn.detect(rows, textColumn, source);
        return new PromptFile(rows.stream().map(r -> r.get(column)).filter(v -> v != null && !v.isBlank()).toList(),
                column);
    }
}
