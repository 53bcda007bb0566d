package dev.espalier.hub;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * The huggingface_hub cache layout, so a cache filled by Python is reused here and the other way round:
 * <pre>
 * {root}/models--org--name/refs/{revision}                 the commit sha the revision pointed to
 * {root}/models--org--name/blobs/{etag}                    file contents, named by ETag (sha256 for LFS files)
 * {root}/models--org--name/snapshots/{commit}/{path}       relative symlink to ../../blobs/{etag}
 * </pre>
 * One addition of ours: {@code .espalier/{commit}.files.json} lists every file of that commit, so a later call
 * knows without asking the hub whether all the files it wants are already here. huggingface_hub ignores it.
 */
final class HubCache {

    private static final ObjectMapper JSON = new ObjectMapper();

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
        Files.writeString(ref, commit, StandardCharsets.UTF_8);
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

    Optional<List<String>> fileList(RepoRef repo, String commit) {
        Path list = fileListPath(repo, commit);
        if (!Files.isRegularFile(list)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(list.toFile(), new TypeReference<List<String>>() { }));
        } catch (IOException e) {
            return Optional.empty(); // a damaged list only costs one request to the hub
        }
    }

    void writeFileList(RepoRef repo, String commit, List<String> files) throws IOException {
        Path list = fileListPath(repo, commit);
        Files.createDirectories(list.getParent());
        Path tmp = list.resolveSibling(list.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), files);
        Files.move(tmp, list, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private Path fileListPath(RepoRef repo, String commit) {
        return repoDir(repo).resolve(".espalier").resolve(commit + ".files.json");
    }
}
