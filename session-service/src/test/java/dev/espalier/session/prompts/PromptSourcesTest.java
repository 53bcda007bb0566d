package dev.espalier.session.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.events.SessionConfig.PromptSourceSpec;
import dev.espalier.hub.HubClient;
import dev.espalier.session.domain.PromptSequence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptSourcesTest {

    private static final Path PARQUET = Path.of("src/test/resources/parquet");

    @TempDir
    Path dir;

    @Test
    void txt_isOnePromptPerNonBlankLine() throws Exception {
        Path file = write("p.txt", "  first \n\nsecond\r\nthird\n");
        assertEquals(List.of("first", "second", "third"), LocalFilePrompts.load(file, null));
    }

    @Test
    void jsonl_takesAUsualPromptColumn_beforeLongerOnes() throws Exception {
        Path file = write("p.jsonl", """
                {"answer": "a long reference answer nobody should be prompted with", "instruction": "Add 2 and 2", "n": 1}
                {"answer": "another long reference answer", "instruction": "Name a bird", "n": 2}
                """);
        assertEquals(List.of("Add 2 and 2", "Name a bird"), LocalFilePrompts.load(file, null));
    }

    @Test
    void jsonl_withoutAUsualName_takesTheColumnWithTheLongestText() throws Exception {
        Path file = write("p.jsonl", """
                {"tag": "x", "body": "What makes a good cup of tea?"}
                {"tag": "y", "body": "Why do cats purr?"}
                """);
        assertEquals(List.of("What makes a good cup of tea?", "Why do cats purr?"), LocalFilePrompts.load(file, null));
    }

    @Test
    void jsonl_ofPlainStrings_isOnePromptPerLine() throws Exception {
        Path file = write("p.jsonl", "\"one\"\n\"two \\\"quoted\\\"\"\n");
        assertEquals(List.of("one", "two \"quoted\""), LocalFilePrompts.load(file, null));
    }

    @Test
    void csv_handlesQuotesCommasAndLineBreaksInFields_andTheNamedColumn() throws Exception {
        Path file = write("p.csv", "id,text,question\r\n1,\"Hello, \"\"world\"\"\",\"Line one\nline two\"\n2,plain,Q2\n");
        assertEquals(List.of("Hello, \"world\"", "plain"), LocalFilePrompts.load(file, "TEXT"));
        assertEquals(List.of("Line one\nline two", "Q2"), LocalFilePrompts.load(file, null));
    }

    @Test
    void aParquetTable_givesTheTextOfItsPromptColumn_withoutEmptyRows() {
        PromptFile file = LocalFilePrompts.read(PARQUET.resolve("snappy-dictionary-v1.parquet"), null);

        assertEquals("prompt", file.textColumn());
        assertEquals(8, file.prompts().size(), "one null and one blank row are left out: " + file.prompts());
        assertEquals("Prompt 0: tell me about the number 0", file.prompts().getFirst());
        assertTrue(file.prompts().contains("¿Qué tal? 你好 🌍 — with a dash"));
    }

    @Test
    void aParquetTable_withoutAUsualName_givesItsLongestTextColumn_orTheOneNamedInAnyCase() {
        assertEquals("body", LocalFilePrompts.read(PARQUET.resolve("fallback-pages.parquet"), null).textColumn());
        PromptFile labels = LocalFilePrompts.read(PARQUET.resolve("fallback-pages.parquet"), "LABEL");
        assertEquals("label", labels.textColumn());
        assertEquals(List.of("l0", "l1", "l2"), labels.prompts().subList(0, 3));
        var nested = assertThrows(PromptSourceException.class,
                () -> LocalFilePrompts.read(PARQUET.resolve("nested-chat.parquet"), "messages"));
        assertTrue(nested.getMessage().contains("not a top-level text column"), nested.getMessage());
    }

    @Test
    void aMissingColumn_isAnError_namingTheFileAndTheColumnsThereAre() throws Exception {
        Path file = write("p.csv", "id,question\n1,Why?\n");
        var e = assertThrows(PromptSourceException.class, () -> LocalFilePrompts.load(file, "prompt"));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("[id, question]"), e.getMessage());
    }

    @Test
    void aMissingOrEmptyFileOrAnUnknownExtension_isAnError_namingTheFile() throws Exception {
        Path missing = dir.resolve("nope.jsonl");
        assertTrue(assertThrows(PromptSourceException.class, () -> LocalFilePrompts.load(missing, null))
                .getMessage().contains(missing.toString()));
        Path empty = write("empty.txt", "\n\n");
        assertTrue(assertThrows(PromptSourceException.class, () -> LocalFilePrompts.load(empty, null))
                .getMessage().contains("no prompts"));
        Path spreadsheet = write("data.xlsx", "PK");
        assertTrue(assertThrows(PromptSourceException.class, () -> LocalFilePrompts.load(spreadsheet, null))
                .getMessage().contains(".txt, .jsonl, .csv or .parquet"));
        Path notParquet = write("data.parquet", "PAR1");
        var e = assertThrows(PromptSourceException.class, () -> LocalFilePrompts.load(notParquet, null));
        assertTrue(e.getMessage().contains(notParquet.toString()) && e.getMessage().contains("not a Parquet file"),
                e.getMessage());
        Path broken = write("broken.jsonl", "{\"text\": \"ok\"}\n{not json\n");
        assertTrue(assertThrows(PromptSourceException.class, () -> LocalFilePrompts.load(broken, null))
                .getMessage().contains("line 2"));
    }

    @Test
    void seededOrder_isFixedForASeed_inEveryJvm() {
        List<String> prompts = IntStream.range(0, 8).mapToObj(i -> "p" + i).toList();
        // Characterization pin, recorded from this implementation: SplittableRandom's output is specified, so the
        // order must never change (stored sessions replay on it); a change to the shuffle fails here.
        assertEquals(List.of("p1", "p0", "p4", "p7", "p2", "p3", "p5", "p6"), PromptOrder.shuffle(prompts, 42));
        assertEquals(PromptOrder.shuffle(prompts, 42), PromptOrder.shuffle(prompts, 42));
        assertTrue(!PromptOrder.shuffle(prompts, 42).equals(PromptOrder.shuffle(prompts, 43)));
    }

    @Test
    void aRestartedCatalog_playsTheSameFileInTheSameOrder() throws Exception {
        Path file = write("p.txt", String.join("\n", IntStream.range(0, 20).mapToObj(i -> "prompt " + i).toList()));
        var spec = new PromptSourceSpec(PromptSourceSpec.Kind.LOCAL_FILE, file.toString(), null, null, null, 9);

        PromptSequence before = new PromptCatalog(HubClient.builder().cacheDir(dir.resolve("hf")).offline(true).build()).sequenceFor(spec);
        PromptSequence afterRestart = new PromptCatalog(HubClient.builder().cacheDir(dir.resolve("hf")).offline(true).build()).sequenceFor(spec);

        for (int i = 0; i < 20; i++) {
            assertEquals(before.at(i), afterRestart.at(i));
        }
        assertEquals(Optional.empty(), afterRestart.at(20));
    }

    @Test
    void typedPrompts_playInTheOrderTyped() {
        var spec = new PromptSourceSpec(PromptSourceSpec.Kind.TYPED, null, null, null, List.of("b", "a", "c"), 5);
        PromptSequence typed = new PromptCatalog(HubClient.builder().cacheDir(dir.resolve("hf")).offline(true).build()).sequenceFor(spec);
        assertEquals(List.of("b", "a", "c"), IntStream.range(0, 3).mapToObj(i -> typed.at(i).orElseThrow()).toList());
    }

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }
}
