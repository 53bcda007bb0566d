package dev.espalier.hub;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A repository on the hub at one revision (branch, tag or commit sha).
 *
 * @param kind     model or dataset
 * @param id       "org/name" (or a bare "name" for legacy repos)
 * @param revision branch, tag or commit; "main" when not given
 */
public record RepoRef(RepoKind kind, String id, String revision) {

    public static final String DEFAULT_REVISION = "main";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    public RepoRef {
        Objects.requireNonNull(kind, "kind");
        if (id == null || !ID.matcher(id).matches() || id.contains("..")) {
            throw new IllegalArgumentException("repo id must look like org/name, got: " + id);
        }
        if (revision == null || revision.isBlank()) {
            revision = DEFAULT_REVISION;
        }
        if (revision.contains("..") || revision.startsWith("/") || revision.contains("\\")) {
            throw new IllegalArgumentException("bad revision for " + id + ": " + revision);
        }
    }

    public static RepoRef model(String id) {
        return new RepoRef(RepoKind.MODEL, id, DEFAULT_REVISION);
    }

    public static RepoRef dataset(String id) {
        return new RepoRef(RepoKind.DATASET, id, DEFAULT_REVISION);
    }

    /**
     * Parses {@code org/name}, {@code org/name@revision}, and the same with a {@code datasets/} prefix for a dataset
     * (the form the hub's own URLs use). Anything else is a model.
     */
    public static RepoRef parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("repo reference is empty");
        }
        RepoKind kind = RepoKind.MODEL;
        String rest = text.strip();
        if (rest.startsWith("datasets/")) {
            kind = RepoKind.DATASET;
            rest = rest.substring("datasets/".length());
        }
        int at = rest.indexOf('@');
        String id = at < 0 ? rest : rest.substring(0, at);
        String revision = at < 0 ? DEFAULT_REVISION : rest.substring(at + 1);
        return new RepoRef(kind, id, revision);
    }

    public RepoRef withRevision(String newRevision) {
        return new RepoRef(kind, id, newRevision);
    }

    /** True when the revision is a full commit sha, which never moves, so refs/ need not record it. */
    public boolean isCommit() {
        return COMMIT.matcher(revision).matches();
    }

    /** The cache folder name huggingface_hub uses: {@code models--org--name} / {@code datasets--org--name}. */
    public String cacheFolderName() {
        return kind.plural() + "--" + id.replace("/", "--");
    }

    @Override
    public String toString() {
        return (kind == RepoKind.DATASET ? "datasets/" : "") + id + "@" + revision;
    }
}
