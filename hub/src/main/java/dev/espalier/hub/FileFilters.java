package dev.espalier.hub;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/** Ready-made choices of which repo files to download. */
public final class FileFilters {

    /** What a causal LM needs to load and tokenize: config, weights (sharded or not), tokenizer, generation defaults. */
    public static final Predicate<String> MODEL_FILES = globs(
            "config.json", "generation_config.json", "*.safetensors", "model.safetensors.index.json",
            "tokenizer*.json", "special_tokens_map.json", "tokenizer.model", "chat_template.jinja");

    /** Data files of a dataset repo (any folder): parquet, JSON lines, JSON, CSV, TSV, text. */
    public static final Predicate<String> DATASET_FILES = globs(
            "**.parquet", "**.jsonl", "**.json", "**.csv", "**.tsv", "**.txt", "*.parquet", "*.jsonl", "*.json",
            "*.csv", "*.tsv", "*.txt");

    public static final Predicate<String> ALL = path -> true;

    private FileFilters() {
    }

    /**
     * Glob patterns matched against the whole repo path ({@code *} stays within a folder, {@code **} crosses
     * folders), as java.nio's glob syntax defines them.
     */
    public static Predicate<String> globs(String... patterns) {
        List<PathMatcher> matchers = Arrays.stream(patterns)
                .map(p -> FileSystems.getDefault().getPathMatcher("glob:" + p))
                .toList();
        return path -> matchers.stream().anyMatch(m -> m.matches(Path.of(path)));
    }
}
