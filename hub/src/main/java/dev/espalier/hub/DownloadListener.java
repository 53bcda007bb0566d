package dev.espalier.hub;

/** Progress of the files a snapshot downloads; called on the downloading thread, so keep it cheap. */
@FunctionalInterface
public interface DownloadListener {

    DownloadListener NONE = (file, bytesDone, totalBytes) -> { };

    /**
     * @param file       path of the file inside the repo
     * @param bytesDone  bytes of it on disk so far (a resumed download starts above zero)
     * @param totalBytes its full size, or -1 when the hub did not say
     */
    void progress(String file, long bytesDone, long totalBytes);
}
