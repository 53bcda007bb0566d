package dev.espalier.stack.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Where each path of a runtime stage's file system lies on this machine after the Maven build: what its COPY lines
 * bring (from the build stage's {@code /src}, which is the repository, or from the build context), and the folders
 * the container writes to, given as scratch folders. Longest prefix wins, as a later mount or copy covers an earlier.
 */
final class ImageFiles {

    private static final String BUILD_SOURCE = "/src/";

    private final Map<String, Path> mounts = new LinkedHashMap<>();

    /** The COPY lines of {@code stage} whose source this machine has; those from other stages are named by the caller. */
    static ImageFiles of(Dockerfile.Stage stage, String buildStage) {
        ImageFiles files = new ImageFiles();
        for (Dockerfile.Copy copy : stage.copies()) {
            Path source = source(copy, buildStage);
            if (source != null) {
                String destination = copy.destination().endsWith("/") && !copy.source().endsWith("/")
                        ? copy.destination() + Path.of(copy.source()).getFileName()
                        : copy.destination();
                files.mount(destination, source);
            }
        }
        return files;
    }

    /** The repository path a COPY reads, or null for a copy from a stage other than the Maven build. */
    static Path source(Dockerfile.Copy copy, String buildStage) {
        if (copy.from() == null) {
            return Repo.ROOT.resolve(copy.source());
        }
        if (copy.from().equals(buildStage) && copy.source().startsWith(BUILD_SOURCE)) {
            return Repo.ROOT.resolve(copy.source().substring(BUILD_SOURCE.length()));
        }
        return null;
    }

    void mount(String containerPath, Path host) {
        mounts.put(strip(containerPath), host);
    }

    /** The host path of {@code containerPath}, or an AssertionError naming what nothing in the image provides. */
    Path host(String containerPath) {
        String path = strip(containerPath);
        return mounts.entrySet().stream()
                .filter(e -> path.equals(e.getKey()) || path.startsWith(e.getKey() + "/"))
                .max(Comparator.comparingInt(e -> e.getKey().length()))
                .map(e -> path.equals(e.getKey()) ? e.getValue() : e.getValue().resolve(path.substring(e.getKey().length() + 1)))
                .orElseThrow(() -> new AssertionError("nothing in the image provides " + containerPath));
    }

    boolean exists(String containerPath) {
        try {
            return Files.exists(host(containerPath));
        } catch (AssertionError e) {
            return false;
        }
    }

    /** {@code text} with every container path under a mount replaced by its host path, in one pass. */
    String rewrite(String text) {
        String prefixes = mounts.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote).collect(Collectors.joining("|"));
        return Pattern.compile("(?<=^|[\\s:=])(" + prefixes + ")(?=$|[/\\s:])").matcher(text)
                .replaceAll(m -> Matcher.quoteReplacement(mounts.get(m.group(1)).toString()));
    }

    private static String strip(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
