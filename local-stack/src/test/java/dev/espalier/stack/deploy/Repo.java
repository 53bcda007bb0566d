package dev.espalier.stack.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Files of the repository the deployment checks compare: modules' configuration, poms, Dockerfiles. */
final class Repo {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(:[^}]*)?}");

    private Repo() {
    }

    static String read(String path) {
        try {
            return Files.readString(ROOT.resolve(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Properties applicationProperties(String module) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(read(module + "/src/main/resources/application.properties")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Environment variables the module's application.properties reads, as {@code ${NAME}} or {@code ${NAME:default}}. */
    static Set<String> environmentReferences(String module) {
        return references(module, false);
    }

    /** Those of {@link #environmentReferences} without a default: the deployment must set them. */
    static Set<String> requiredEnvironment(String module) {
        return references(module, true);
    }

    private static Set<String> references(String module, boolean requiredOnly) {
        Set<String> names = new TreeSet<>();
        Matcher m = REFERENCE.matcher(read(module + "/src/main/resources/application.properties"));
        while (m.find()) {
            if (!requiredOnly || m.group(2) == null) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The HTTP port the module's own configuration gives it, or -1 when it leaves Quarkus' default. */
    static int configuredPort(String module) {
        String value = applicationProperties(module).getProperty("quarkus.http.port");
        if (value == null) {
            return -1;
        }
        Matcher m = Pattern.compile("\\$\\{[A-Z0-9_]+:(\\d+)}|^(\\d+)$").matcher(value);
        if (!m.find()) {
            throw new AssertionError(module + ": quarkus.http.port '" + value + "' has no default port");
        }
        return Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
    }
}
