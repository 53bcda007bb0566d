package dev.espalier.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The huggingface_hub cache layout, so a cache filled by Python is reused here and the other way round:
 * <pre>
 * {root}/models--org--name/refs/{revision}                 the commit sha the revision pointed to
 * {root}/models--org--name/blobs/{etag}                    file contents, named by ETag (sha256 for LFS files)
 * {root}/models--org--name/snapshots/{commit}/{path}       relative symlink to ../../blobs/{etag}
 * {root}/models--org--name/trees/{commit}.json             every file of the commit (huggingface_hub 1.x tree cache)
 * </pre>
 * The tree listing tells a later call, without asking the hub, whether every file it wants is already here; it is
 * read and written in huggingface_hub's format, so either side can use the other's.
 */
final class HubCache {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TREE_FORMAT = 1;

    private final Path root;

    HubCache(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    Path repoDir(RepoRef repo) {
        return root.resolve(repo.cacheFolderName());
    }

    Optional<String> commitOf(RepoRef repo) {
        if (repo.isCommit()) {
            return Optional.of(repo.revision());
        }
        Path ref = repoDir(repo).resolve("refs").resolve(repo.revision());
        try {
            return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref).strip()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ref, e);
        }
    }

    void writeRef(RepoRef repo, String commit) throws IOException {
        if (repo.isCommit()) {
            return;
        }
        Path ref = repoDir(repo).resolve("refs").resolve(repo.revision());
        Files.createDirectories(ref.getParent());
        replace(ref, tmp -> Files.writeString(tmp, commit, StandardCharsets.UTF_8));
    }

    private interface Writer {
        void write(Path tmp) throws IOException;
    }

    /**
     * Writes {@code file} aside under a name of its own, then moves it in whole: concurrent writers never mix. The
     * writer creates the temporary file, so it gets the usual permissions rather than {@code createTempFile}'s
     * owner-only ones, and every process sharing the cache can read the result.
     */
    private static void replace(Path file, Writer writer) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            writer.write(tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    Path snapshotDir(RepoRef repo, String commit) {
        return repoDir(repo).resolve("snapshots").resolve(commit);
    }

    /** Where a repo file appears in the snapshot; rejects paths that would leave the snapshot folder. */
    Path snapshotFile(RepoRef repo, String commit, String file) {
        if (file.isEmpty() || file.startsWith("/") || file.contains("\\")
                || List.of(file.split("/")).contains("..")) {
            throw new HubException(repo, file, 0, repo + ": refusing unsafe file path from the hub: " + file);
        }
        return snapshotDir(repo, commit).resolve(file);
    }

    Path blob(RepoRef repo, String etag) {
        return repoDir(repo).resolve("blobs").resolve(etag);
    }

    Path incomplete(RepoRef repo, String etag) {
        return repoDir(repo).resolve("blobs").resolve(etag + ".incomplete");
    }

    /** huggingface_hub's lock file for one blob, outside the repo folder so that deleting a repo leaves it alone. */
    Path lockFile(RepoRef repo, String etag) {
        return root.resolve(".locks").resolve(repo.cacheFolderName()).resolve(etag + ".lock");
    }

    /** Points the snapshot file at the blob with a relative link, as huggingface_hub does; copies where links fail. */
    void link(Path snapshotFile, Path blob) throws IOException {
        Files.createDirectories(snapshotFile.getParent());
        Path relative = snapshotFile.getParent().relativize(blob);
        try {
            Files.createSymbolicLink(snapshotFile, relative);
        } catch (FileAlreadyExistsException e) {
            Files.delete(snapshotFile);
            Files.createSymbolicLink(snapshotFile, relative);
        } catch (UnsupportedOperationException e) {
            Files.copy(blob, snapshotFile, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The files of a commit from huggingface_hub's tree cache ({@code trees/<commit>.json}, format 1), or empty when
     * it is absent or unreadable (older huggingface_hub versions do not write it).
     */
    Optional<List<String>> fileList(RepoRef repo, String commit) {
        Path tree = treePath(repo, commit);
        if (!Files.isRegularFile(tree)) {
            return Optional.empty();
        }
        try {
            JsonNode json = JSON.readTree(tree.toFile());
            if (json.path("format_version").asInt() != TREE_FORMAT || !json.path("files").isObject()) {
                return Optional.empty();
            }
            List<String> files = new ArrayList<>();
            json.path("files").fieldNames().forEachRemaining(files::add);
            return Optional.of(files);
        } catch (IOException e) {
            return Optional.empty(); // a damaged listing only costs one request to the hub
        }
    }

    /** Writes the tree cache as huggingface_hub does, when every file has the metadata it requires. */
    void writeTree(RepoRef repo, String commit, List<RepoFile> files) throws IOException {
        if (!files.stream().allMatch(RepoFile::hasMetadata)) {
            return;
        }
        ObjectNode entries = JSON.createObjectNode();
        files.stream().sorted(Comparator.comparing(RepoFile::path)).forEach(f -> {
            ObjectNode entry = entries.putObject(f.path());
            entry.put("size", f.size());
            entry.put("blob_id", f.blobId());
            if (f.lfsSha256() != null) {
                entry.put("lfs_sha256", f.lfsSha256());
                entry.put("lfs_size", f.size());
            }
        });
        ObjectNode json = JSON.createObjectNode();
        json.put("format_version", TREE_FORMAT);
        json.set("files", entries);
        Path tree = treePath(repo, commit);
        Files.createDirectories(tree.getParent());
        replace(tree, tmp -> JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), json));
    }

    private Path treePath(RepoRef repo, String commit) {
        return repoDir(repo).resolve("trees").resolve(commit + ".json");
    }
}
