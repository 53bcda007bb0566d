package dev.espalier.policy.model;

import dev.espalier.policy.cli.AdapterInput;
import dev.espalier.policy.cli.EspalierCli;
import dev.espalier.policy.cli.ModelLocator;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds tiny random models through the real init-model command. */
public final class TestModels {

    private TestModels() {
    }

    public static Path init(Path out, String... args) {
        List<String> argv = new ArrayList<>(List.of("init-model"));
        argv.addAll(List.of(args));
        argv.addAll(List.of("--out", out.toString()));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new EspalierCli(ModelLocator.LOCAL_DIRECTORY, AdapterInput.BASE_MODEL)
                .run(argv.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        if (status != 0) {
            throw new IllegalStateException("init-model failed: " + err.toString(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** A two-layer Llama with grouped-query attention. */
    public static Path llama(Path out) {
        return init(out, "--arch", "llama", "--vocab", "96", "--hidden", "32", "--layers", "2", "--heads", "4",
                "--kv-heads", "2", "--intermediate", "64", "--max-positions", "64", "--seed", "3");
    }
}
