package dev.espalier.stack.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every path, program and image name the deployment files use inside an image, checked against what the image's
 * build produces: the runtime stages' COPY sources exist once Maven has built the modules, their commands name
 * files the image holds, the compose health check is a program every service image ships, and the images compose
 * and Kubernetes pull are those scripts/images.sh builds, at one version.
 */
class DockerImagesTest {

    private static final List<String> MODULES = List.of("session-service", "trainer-service", "rollout-service", "ui-vaadin");
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("(?<=^|[\\s:=])(/[\\w./-]+)");
    private static final Pattern BUILD_LINE = Pattern.compile("(?m)^\\s*build (espalier/\\S+) (\\S+)(?: (\\S+))?$");

    private final Map<String, Object> compose = Compose.config();
    private final Map<String, Map<String, Object>> services = Compose.map(compose.get("services"));

    @Test
    void everyRuntimeStageCopiesWhatTheMavenBuildMade_andRunsAFileItHolds() {
        for (String module : MODULES) {
            Dockerfile dockerfile = Dockerfile.read(module + "/src/main/docker/Dockerfile");
            for (Dockerfile.Stage stage : runtimeStages(dockerfile)) {
                String where = dockerfile.path() + " stage " + stage.name();
                for (Dockerfile.Copy copy : stage.copies()) {
                    Path source = ImageFiles.source(copy, "build");
                    if (source != null) {
                        assertTrue(Files.exists(source), where + ": COPY " + copy.source() + " — " + source
                                + " does not exist after the Maven build");
                    } else {
                        assertEquals("libtorch", copy.from(), where + ": COPY from an unknown stage");
                        String fetch = String.join("\n", dockerfile.stage("libtorch").runs());
                        assertTrue(fetch.contains(copy.source()), where + ": the libtorch stage writes no " + copy.source());
                        assertTrue(copy.source().startsWith(Path.of(stage.env().get("PYTORCH_LIBRARY_PATH")).getParent().toString()),
                                where + ": PYTORCH_LIBRARY_PATH is not where libtorch is copied");
                    }
                }
                ImageFiles files = ImageFiles.of(stage, "build");
                assertTrue(files.exists(stage.workdir()), where + ": WORKDIR " + stage.workdir());
                assertEquals(List.of("sh", "-c"), stage.cmd().subList(0, 2), where + ": CMD expands $JAVA_OPTS");
                Matcher paths = ABSOLUTE_PATH.matcher(stage.cmd().get(2));
                while (paths.find()) {
                    assertTrue(files.exists(paths.group(1)), where + ": CMD names " + paths.group(1) + ", which the image lacks");
                }
                assertEquals("1001", stage.user(), where + ": runs as the unprivileged user the pods' securityContext names");
            }
        }
    }

    @Test
    void theHealthCheckOfEveryServiceIsAnExecutableTheImageShips_runWithoutAShell() throws IOException {
        Path probe = Repo.ROOT.resolve("docker/espalier-health");
        assertTrue(Files.isExecutable(probe), probe + " must be executable: COPY keeps the mode");
        assertTrue(Files.readString(probe).startsWith("#!/usr/bin/env bash\n"), "the probe uses bash's /dev/tcp");
        for (String module : MODULES) {
            List<String> test = Compose.strings(Compose.map(services.get(module).get("healthcheck")).get("test"));
            assertEquals("CMD", test.getFirst(), module + ": exec form, so dash (/bin/sh on the images) is not involved");
            for (Dockerfile.Stage stage : runtimeStages(Dockerfile.read(module + "/src/main/docker/Dockerfile"))) {
                Path shipped = ImageFiles.of(stage, "build").host("/usr/local/bin/" + test.get(1));
                assertEquals(probe, shipped, module + " stage " + stage.name());
            }
        }
    }

    @Test
    void theCpuAndCudaTargetsRunTheSameApplicationTheSameWay_onlyTheirLibtorchDiffers() {
        for (String module : List.of("rollout-service", "trainer-service")) {
            Dockerfile dockerfile = Dockerfile.read(module + "/src/main/docker/Dockerfile");
            Dockerfile.Stage cpu = dockerfile.stage("cpu");
            Dockerfile.Stage cuda = dockerfile.stage("cuda");
            assertEquals("cuda", dockerfile.stages().getLast().name(), module + ": a build without --target gets the GPU image");
            assertEquals(cpu.cmd(), cuda.cmd(), module);
            assertEquals(cpu.workdir(), cuda.workdir(), module);
            assertEquals(cpu.exposed(), cuda.exposed(), module);
            assertEquals(cpu.user(), cuda.user(), module);
            assertEquals(cpu.copies(), cuda.copies().stream().filter(c -> !"libtorch".equals(c.from())).toList(), module);
            Map<String, String> cudaEnv = new TreeMap<>(cuda.env());
            cudaEnv.keySet().removeIf(k -> k.startsWith("PYTORCH_"));
            assertEquals(new TreeMap<>(cpu.env()), cudaEnv, module);
        }
    }

    @Test
    void theModelOneShotRunsTheCliOfTheImageItUses() throws IOException {
        Map<String, Object> model = services.get("model");
        Map<String, Object> build = Compose.map(model.get("build"));
        Dockerfile.Stage stage = Dockerfile.read((String) build.get("dockerfile")).stage((String) build.get("target"));
        ImageFiles files = ImageFiles.of(stage, "build");
        List<String> entrypoint = Compose.strings(model.get("entrypoint"));
        assertEquals("java", entrypoint.getFirst());
        String classpath = entrypoint.get(entrypoint.indexOf("-cp") + 1);
        boolean found = false;
        for (String entry : classpath.split(":")) {
            assertTrue(entry.endsWith("/*"), entry);
            Path dir = files.host(entry.substring(0, entry.length() - 2));
            assertTrue(Files.isDirectory(dir), entry);
            try (Stream<Path> jars = Files.list(dir)) {
                for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
                    try (JarFile j = new JarFile(jar.toFile())) {
                        found |= j.getEntry(entrypoint.getLast().replace('.', '/') + ".class") != null;
                    }
                }
            }
        }
        assertTrue(found, entrypoint.getLast() + " is in no jar of " + classpath);
        assertTrue(classpath.contains("/app/lib/boot/*"), "the boot jars carry the log manager the CLI's logging needs");
        assertEquals("fetch-model", Compose.strings(model.get("command")).getFirst());
    }

    @Test
    void composeAndKubernetesPullTheImagesTheImagesScriptBuilds_atTheVersionOfTheKustomization() {
        String version = oneVersion(Repo.read("k8s/base/kustomization.yaml"));
        Map<String, String> built = new HashMap<>();
        Matcher m = BUILD_LINE.matcher(Repo.read("scripts/images.sh"));
        while (m.find()) {
            built.put(m.group(1), m.group(2) + (m.group(3) == null ? "" : "@" + m.group(3)));
        }
        assertEquals(Set.of("espalier/session-service", "espalier/ui-vaadin", "espalier/rollout-service",
                "espalier/trainer-service", "espalier/rollout-service-cuda", "espalier/trainer-service-cuda"), built.keySet());
        for (var service : services.entrySet()) {
            Map<String, Object> build = Compose.map(service.getValue().get("build"));
            if (build == null) {
                continue;
            }
            String image = (String) service.getValue().get("image");
            String name = image.substring(0, image.lastIndexOf(':'));
            assertEquals(version, image.substring(image.lastIndexOf(':') + 1), service.getKey());
            String dockerfile = (String) build.get("dockerfile");
            String module = dockerfile.substring(0, dockerfile.indexOf('/'));
            String target = (String) build.get("target");
            assertEquals(module + (target == null ? "" : "@" + target), built.get(name),
                    service.getKey() + ": compose builds " + name + " as the images script does");
        }
        Set<String> bases = new TreeSet<>();
        Matcher names = Pattern.compile("(?m)^\\s*image: (espalier/\\S+)$").matcher(String.join("\n",
                MODULES.stream().map(mod -> Repo.read("k8s/base/" + mod + ".yaml")).toList()));
        while (names.find()) {
            bases.add(names.group(1));
        }
        assertTrue(built.keySet().containsAll(bases), bases + " must all be built by scripts/images.sh");
    }

    /** The one newTag a kustomization gives all its images. */
    static String oneVersion(String kustomization) {
        Set<String> tags = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\s*newTag: (\\S+)$").matcher(kustomization);
        while (m.find()) {
            tags.add(m.group(1));
        }
        assertEquals(1, tags.size(), "one version for every image: " + tags);
        return tags.iterator().next();
    }

    private static List<Dockerfile.Stage> runtimeStages(Dockerfile dockerfile) {
        return dockerfile.stages().stream().filter(s -> !s.cmd().isEmpty()).toList();
    }
}
