package dev.espalier.session.prompts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.session.prompts.parquet.ParquetException;
import dev.espalier.session.prompts.parquet.ParquetFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Prompts from a local file, by extension: {@code .txt} one prompt per non-blank line; {@code .jsonl} one JSON object
 * per line (or one JSON string per line); {@code .csv} with a header row (RFC 4180 quoting); {@code .parquet} a table
 * as Hugging Face datasets publish it ({@link ParquetFile}). For tables the text column is the one named, else
 * detected ({@link TextColumn}).
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
        if (name.endsWith(".parquet")) {
            return nonEmpty(fromParquet(file, textColumn), file);
        }
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
            throw new PromptSourceException("prompt file " + file + " must end in .txt, .jsonl, .csv or .parquet");
        }
        return nonEmpty(prompts, file);
    }

    private static PromptFile nonEmpty(PromptFile prompts, Path file) {
        if (prompts.prompts().isEmpty()) {
            throw new PromptSourceException("prompt file " + file + " holds no prompts");
        }
        return prompts;
    }

    /**
     * A Parquet table: only the text column is read, the one named (any case) or the one with a usual prompt name;
     * failing both, every text column is read and {@link TextColumn} picks the longest.
     */
    static PromptFile fromParquet(Path file, String textColumn) {
        try {
            ParquetFile parquet = ParquetFile.open(file);
            Optional<String> column;
            if (textColumn != null && !textColumn.isBlank()) {
                column = Optional.of(parquet.columns().stream().filter(c -> c.equalsIgnoreCase(textColumn))
                        .findFirst().orElseThrow(() -> new PromptSourceException(file + " has no column \""
                                + textColumn + "\"; it has " + parquet.columns())));
            } else {
                column = TextColumn.usualName(parquet.textColumns());
            }
            if (column.isPresent()) {
                return new PromptFile(parquet.strings(column.get()).stream()
                        .filter(v -> v != null && !v.isBlank()).toList(), column.get());
            }
            if (parquet.textColumns().isEmpty()) {
                throw new PromptSourceException(file + " has no top-level text column; its columns are "
                        + parquet.columns());
            }
            List<Map<String, String>> rows = new ArrayList<>();
            for (String c : parquet.textColumns()) {
                List<String> values = parquet.strings(c);
                for (int i = 0; i < values.size(); i++) {
                    if (rows.size() <= i) {
                        rows.add(new LinkedHashMap<>());
                    }
                    if (values.get(i) != null) {
                        rows.get(i).put(c, values.get(i));
                    }
                }
            }
            return fromTable(rows, null, file.toString());
        } catch (ParquetException e) {
            throw new PromptSourceException(e.getMessage(), e);
        }
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
