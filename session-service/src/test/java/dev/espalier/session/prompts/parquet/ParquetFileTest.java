package dev.espalier.session.prompts.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Files written by pyarrow (tools/parquet_fixtures.py) read back as pyarrow reads them. */
class ParquetFileTest {

    private static final Path FIXTURES = Path.of("src/test/resources/parquet");

    @TempDir
    Path dir;

    static Stream<String> fixtures() throws IOException {
        return expected().keySet().stream();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void everyTextColumn_readsAsPyarrowReadsIt(String file) throws IOException {
        Map<String, List<String>> columns = expected().get(file);
        ParquetFile parquet = ParquetFile.open(FIXTURES.resolve(file));

        assertEquals(List.copyOf(columns.keySet()), parquet.textColumns());
        columns.forEach((column, values) -> assertEquals(values, parquet.strings(column), file + " " + column));
    }

    @Test
    void nestedAndNumericColumns_areListed_butRefusedByName() {
        ParquetFile parquet = ParquetFile.open(FIXTURES.resolve("nested-chat.parquet"));

        assertEquals(List.of("messages", "question", "score"), parquet.columns());
        assertEquals(List.of("question"), parquet.textColumns());
        ParquetException nested = assertThrows(ParquetException.class, () -> parquet.strings("messages"));
        assertTrue(nested.getMessage().contains("\"messages\" is not a top-level text column")
                && nested.getMessage().contains("[question]"), nested.getMessage());
        ParquetException missing = assertThrows(ParquetException.class, () -> parquet.strings("prompt"));
        assertTrue(missing.getMessage().contains("no column \"prompt\"")
                && missing.getMessage().contains("[messages, question, score]"), missing.getMessage());
    }

    @Test
    void aTruncatedFile_orAnotherKindOfFile_isRefusedNamingIt() throws IOException {
        byte[] whole = Files.readAllBytes(FIXTURES.resolve("gzip-text.parquet"));
        Path truncated = Files.write(dir.resolve("truncated.parquet"), java.util.Arrays.copyOf(whole, whole.length - 20));
        Path csv = Files.writeString(dir.resolve("data.parquet"), "id,text\n1,hello\n");

        for (Path bad : List.of(truncated, csv)) {
            ParquetException e = assertThrows(ParquetException.class, () -> ParquetFile.open(bad));
            assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("not a Parquet file"),
                    e.getMessage());
        }
    }

    static Map<String, Map<String, List<String>>> expected() throws IOException {
        try (InputStream in = Files.newInputStream(FIXTURES.resolve("expected.json"))) {
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, Map<String, List<String>>> out = new java.util.TreeMap<>();
            root.properties().forEach(file -> {
                Map<String, List<String>> columns = new java.util.LinkedHashMap<>();
                file.getValue().properties().forEach(column -> {
                    List<String> values = new ArrayList<>();
                    column.getValue().forEach(v -> values.add(v.isNull() ? null : v.asText()));
                    columns.put(column.getKey(), values);
                });
                out.put(file.getKey(), columns);
            });
            return out;
        }
    }
}
