package dev.espalier.hub;

import java.net.URI;
import java.nio.file.Path;

/** A second process sharing a cache: downloads one repo from {@code args[0]} into cache {@code args[1]}. */
public final class DownloadInAnotherProcess {

    private DownloadInAnotherProcess() {
    }

    public static void main(String[] args) {
        HubClient hub = HubClient.builder().endpoint(URI.create(args[0])).cacheDir(Path.of(args[1])).build();
        System.out.println(hub.snapshot(RepoRef.parse(args[2]), file -> true));
    }
}
