package dev.espalier.trainer.export;

import dev.espalier.events.SessionEvent.SessionCreated;
import dev.espalier.policy.export.MergedModelWriter;
import dev.espalier.policy.model.ModelLocator;
import dev.espalier.trainer.journal.StoredAdapter;
import dev.espalier.trainer.journal.TrainerStore;
import dev.espalier.trainer.training.StateArchive;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A policy version as a plain Hugging Face model: the session's base model with that version's stored adapter folded
 * in ({@link MergedModelWriter}), zipped flat (config, model.safetensors, tokenizer files). The merge is written to
 * a scratch directory under the work dir and deleted once zipped.
 */
public final class MergedModelExport {

    private final TrainerStore store;
    private final ModelLocator models;
    private final Path workDir;

    public MergedModelExport(TrainerStore store, ModelLocator models, Path workDir) {
        this.store = store;
        this.models = models;
        this.workDir = workDir;
    }

    /**
     * Fails with {@link NoSuchElementException} naming the session or version before anything is written, so a
     * caller can answer 404 before it starts streaming.
     */
    public Merge prepare(UUID sessionId, long version) {
        SessionCreated session = store.session(sessionId).orElseThrow(() -> new NoSuchElementException(
                "session " + sessionId + " is not known to the trainer"));
        StoredAdapter adapter = store.adapter(sessionId, version).orElseThrow(() -> new NoSuchElementException(
                "session " + sessionId + " has no stored adapter of policy version " + version));
        return new Merge(models.locate(session.config().model()), adapter);
    }

    /** One export, ready to be written. */
    public final class Merge {
        private final Path modelDir;
        private final StoredAdapter adapter;

        private Merge(Path modelDir, StoredAdapter adapter) {
            this.modelDir = modelDir;
            this.adapter = adapter;
        }

        public void writeZip(OutputStream out) {
            Path scratch = scratch();
            try {
                Path adapterDir = StateArchive.unzip(adapter.zip(), scratch.resolve("adapter"));
                Path merged = scratch.resolve("merged");
                MergedModelWriter.merge(modelDir, adapterDir, merged);
                zip(merged, out);
            } finally {
                StateArchive.deleteTree(scratch);
            }
        }
    }

    private static void zip(Path dir, OutputStream out) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> sorted = files.filter(Files::isRegularFile).sorted().toList();
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Path file : sorted) {
                zip.putNextEntry(new ZipEntry(file.getFileName().toString()));
                Files.copy(file, zip);
                zip.closeEntry();
            }
            zip.finish();
            zip.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot zip the merged model in " + dir, e);
        }
    }

    private Path scratch() {
        try {
            Files.createDirectories(workDir);
            return Files.createTempDirectory(workDir, "merged-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create scratch space in " + workDir, e);
        }
    }
}
