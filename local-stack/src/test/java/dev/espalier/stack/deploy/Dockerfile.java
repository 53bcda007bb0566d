package dev.espalier.stack.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instructions of a Dockerfile that decide what a runtime stage holds and runs: FROM, WORKDIR, COPY, ENV, EXPOSE,
 * USER and CMD (exec form). RUN lines are kept only as text: they run at image build, which needs Docker.
 */
record Dockerfile(String path, List<Dockerfile.Stage> stages) {

    record Copy(String from, String source, String destination) {
    }

    record Stage(String name, String base, String workdir, Map<String, String> env, List<Copy> copies,
                 List<Integer> exposed, String user, List<String> cmd, List<String> runs) {
    }

    private static final Pattern FROM = Pattern.compile("(\\S+)(?:\\s+AS\\s+(\\S+))?", Pattern.CASE_INSENSITIVE);
    private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)");

    static Dockerfile read(String path) {
        List<Stage> stages = new ArrayList<>();
        Builder stage = null;
        for (String line : instructions(Repo.read(path))) {
            String[] parts = line.split("\\s+", 2);
            String keyword = parts[0].toUpperCase();
            String rest = parts.length > 1 ? parts[1] : "";
            if (keyword.equals("FROM")) {
                if (stage != null) {
                    stages.add(stage.build());
                }
                Matcher m = FROM.matcher(rest);
                if (!m.matches()) {
                    throw new AssertionError(path + ": cannot read FROM " + rest);
                }
                stage = new Builder(m.group(2), m.group(1));
            } else if (stage == null) {
                throw new AssertionError(path + ": " + keyword + " before the first FROM");
            } else {
                stage.add(path, keyword, rest);
            }
        }
        if (stage == null) {
            throw new AssertionError(path + " has no FROM");
        }
        stages.add(stage.build());
        return new Dockerfile(path, List.copyOf(stages));
    }

    /** The stage `docker build --target` picks: the named one, or the last when there is no target. */
    Stage stage(String target) {
        if (target == null) {
            return stages.getLast();
        }
        return stages.stream().filter(s -> target.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError(path + " has no stage " + target));
    }

    /** Lines joined across trailing backslashes, comments and blank lines dropped. */
    private static List<String> instructions(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            out.add(current.toString().strip());
            current.setLength(0);
        }
        return out;
    }

    private static final class Builder {
        private final String name;
        private final String base;
        private String workdir = "/";
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<Copy> copies = new ArrayList<>();
        private final List<Integer> exposed = new ArrayList<>();
        private String user = "root";
        private List<String> cmd = List.of();
        private final List<String> runs = new ArrayList<>();

        Builder(String name, String base) {
            this.name = name;
            this.base = base;
        }

        void add(String path, String keyword, String rest) {
            switch (keyword) {
                case "WORKDIR" -> workdir = rest;
                case "ENV" -> {
                    Matcher m = ENV_PAIR.matcher(rest);
                    while (m.find()) {
                        env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
                    }
                }
                case "COPY" -> {
                    String from = null;
                    List<String> words = new ArrayList<>(List.of(rest.split("\\s+")));
                    while (words.getFirst().startsWith("--")) {
                        String flag = words.removeFirst();
                        if (flag.startsWith("--from=")) {
                            from = flag.substring("--from=".length());
                        }
                    }
                    String destination = words.removeLast();
                    for (String source : words) {
                        copies.add(new Copy(from, source, destination));
                    }
                }
                case "EXPOSE" -> exposed.add(Integer.parseInt(rest.split("/")[0]));
                case "USER" -> user = rest;
                case "CMD" -> cmd = execForm(path, rest);
                case "RUN" -> runs.add(rest);
                default -> { }
            }
        }

        Stage build() {
            return new Stage(name, base, workdir, Map.copyOf(env), List.copyOf(copies), List.copyOf(exposed), user,
                    cmd, List.copyOf(runs));
        }

        private static List<String> execForm(String path, String json) {
            try {
                return List.of(new ObjectMapper().readValue(json, String[].class));
            } catch (JsonProcessingException e) {
                throw new AssertionError(path + ": CMD is not in exec form: " + json, e);
            }
        }
    }
}
