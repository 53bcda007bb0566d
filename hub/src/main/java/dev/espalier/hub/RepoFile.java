package dev.espalier.hub;

/**
 * One file of a repo at a commit, as the hub's repo info lists it with {@code ?blobs=true}.
 *
 * @param path      path inside the repo
 * @param size      size in bytes, or -1 when the hub did not say
 * @param blobId    git blob id, or null when the hub did not say
 * @param lfsSha256 sha256 of the content for LFS files, else null
 */
record RepoFile(String path, long size, String blobId, String lfsSha256) {

    /** Whether huggingface_hub's tree cache can record this file (it requires size and blob id). */
    boolean hasMetadata() {
        return size >= 0 && blobId != null;
    }
}
