package dev.espalier.policy.model;

import dev.espalier.policy.cli.AdapterInput;
import dev.espalier.policy.cli.EspalierCli;
import dev.espalier.policy.model.ModelLocator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
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

    /** A fixture of tools/goldens_model.py (golden/model/NAME.json): init-model arguments, transformers' outputs. */
    public static JsonNode goldenFixture(String name) {
        try (InputStream in = TestModels.class.getResourceAsStream("/golden/model/" + name + ".json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the golden fixture " + name, e);
        }
    }

    /** The model a golden fixture was made from, rebuilt by init-model with its arguments. */
    public static Path fromGolden(Path out, JsonNode fixture) {
        List<String> args = new ArrayList<>();
        fixture.get("init_model_args").forEach(a -> args.add(a.asText()));
        return init(out, args.toArray(String[]::new));
    }
}
