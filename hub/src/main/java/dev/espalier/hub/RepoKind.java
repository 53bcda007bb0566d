package dev.espalier.hub;

/** The two kinds of hub repository this client downloads; each has its own URL and cache-folder prefix. */
public enum RepoKind {
    MODEL("models", ""),
    DATASET("datasets", "datasets/");

    private final String plural;
    private final String urlPrefix;

    RepoKind(String plural, String urlPrefix) {
        this.plural = plural;
        this.urlPrefix = urlPrefix;
    }

    /** "models" or "datasets": the API path segment and the cache folder prefix ({@code models--org--name}). */
    public String plural() {
        return plural;
    }

    /** Prefix of file URLs: models resolve at {@code /{id}/resolve/..}, datasets at {@code /datasets/{id}/resolve/..}. */
    String urlPrefix() {
        return urlPrefix;
    }
}
