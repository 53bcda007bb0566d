package dev.espalier.session.prompts;

import dev.espalier.hub.FileFilters;
import dev.espalier.hub.HubClient;
import dev.espalier.hub.HubException;
import dev.espalier.hub.RepoKind;
import dev.espalier.hub.RepoRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Prompts from a Hugging Face dataset repo, downloaded by {@link HubClient} into the standard HF cache (the same
 * cache and rules as models). Reads the JSON-lines files of the repo, else its CSV files, else its text files, else
 * its Parquet files, with {@link LocalFilePrompts}; when the repo has a train split (a file or folder named for it),
 * only that split.
 */
public final class HuggingFaceDatasetPrompts {

    private static final Logger LOG = Logger.getLogger(HuggingFaceDatasetPrompts.class);
    private static final Predicate<String> READABLE = FileFilters.globs(
            "*.jsonl", "**.jsonl", "*.csv", "**.csv", "*.txt", "**.txt", "*.parquet", "**.parquet");
    private static final List<String> PREFERRED_EXTENSIONS = List.of(".jsonl", ".csv", ".txt", ".parquet");
    private static final Pattern TRAIN = Pattern.compile("(^|[/_.-])train([/_.-]|$)");

    private HuggingFaceDatasetPrompts() {
    }

    public static List<String> load(HubClient hub, String datasetId, String revision, String textColumn) {
        return read(hub, datasetId, revision, textColumn).prompts();
    }

    /** The dataset's prompts in file order, with the text column of its first table file (null for plain lines). */
    public static PromptFile read(HubClient hub, String datasetId, String revision, String textColumn) {
        RepoRef repo;
        try {
            repo = new RepoRef(RepoKind.DATASET, datasetId, revision);
        } catch (IllegalArgumentException e) {
            throw new PromptSourceException("prompts.location: " + e.getMessage(), e);
        }
        Path snapshot;
        List<String> files;
        try {
            // Choose from the listing first, so that only the files read are downloaded.
            files = dataFiles(hub.files(repo));
            if (files.isEmpty()) {
                throw new PromptSourceException("dataset " + repo + " has no .jsonl, .csv, .txt or .parquet data files");
            }
            snapshot = hub.snapshot(repo, files::contains, (file, done, total) -> {
                if (done == total) {
                    LOG.infof("dataset %s: %s downloaded (%d bytes)", repo, file, total);
                }
            });
        } catch (HubException e) {
            throw new PromptSourceException("cannot download dataset " + repo + ": " + e.getMessage(), e);
        }
        List<String> prompts = new ArrayList<>();
        String column = null;
        for (String file : files) {
            PromptFile read = LocalFilePrompts.read(snapshot.resolve(file), textColumn);
            prompts.addAll(read.prompts());
            column = column != null ? column : read.textColumn();
        }
        return new PromptFile(prompts, column);
    }

    /** The files to read, as repo paths in sorted order: one kind of file, the train split when there is one. */
    static List<String> dataFiles(List<String> repoFiles) {
        List<String> all = repoFiles.stream().filter(READABLE).sorted().toList();
        for (String extension : PREFERRED_EXTENSIONS) {
            List<String> ofKind = all.stream().filter(f -> f.toLowerCase(Locale.ROOT).endsWith(extension)).toList();
            if (!ofKind.isEmpty()) {
                List<String> train = ofKind.stream().filter(f -> TRAIN.matcher(f.toLowerCase(Locale.ROOT)).find())
                        .toList();
                return train.isEmpty() ? ofKind : train;
            }
        }
        return List.of();
    }
}
