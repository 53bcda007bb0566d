package dev.espalier.stack;

import java.nio.file.Path;

/**
 * The arguments of {@code ./espalier up}: which model ({@code --model DIR|org/name}, or {@code --demo} for a tiny
 * random one), where the stack keeps its data ({@code --home}, default {@code ~/.espalier}), the UI's port, and the
 * repository whose packaged services are run ({@code --root}, set by the {@code espalier} script), and whether to
 * keep the weights once only ({@code --low-memory}).
 */
record StackOptions(String model, boolean demo, Path home, int uiPort, Path root, boolean lowMemory) {

    static final String DEFAULT_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct";

    static final String USAGE = """
            usage: ./espalier up [--model DIR|org/name] [--demo] [--home DIR] [--port N] [--low-memory]
              --model   a local Hugging Face model directory, or a hub id (default %s)
              --demo    a tiny random model made on the spot (no download): tries the loop, learns nothing useful
              --home    where Kafka, PostgreSQL, models and logs live (default ~/.espalier)
              --port    the UI's port (default 8080); the services take the next two
              --low-memory  keep one copy of the weights: CPU decoding then runs through libtorch, about 4x slower,
                        instead of through Java kernels that need a second, decode-ordered copy in the heap
                        (~540 MB for SmolLM2-135M; on a GPU there is only ever one copy)""".formatted(DEFAULT_MODEL);

    StackOptions {
        if (demo && model != null) {
            throw new IllegalArgumentException("--demo and --model exclude each other");
        }
        if (uiPort < 1 || uiPort > 65533) {
            throw new IllegalArgumentException("--port " + uiPort + ": must be between 1 and 65533");
        }
    }

    static StackOptions parse(String[] args) {
        String model = null;
        boolean demo = false;
        boolean lowMemory = false;
        Path home = Path.of(System.getProperty("user.home"), ".espalier");
        int port = 8080;
        Path root = Path.of("").toAbsolutePath();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--demo" -> demo = true;
                case "--low-memory" -> lowMemory = true;
                case "--model" -> model = value(args, ++i, "--model");
                case "--home" -> home = Path.of(value(args, ++i, "--home"));
                case "--root" -> root = Path.of(value(args, ++i, "--root"));
                case "--port" -> {
                    String v = value(args, ++i, "--port");
                    try {
                        port = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port '" + v + "': not a number");
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        return new StackOptions(model, demo, home.toAbsolutePath(), port, root.toAbsolutePath(), lowMemory);
    }

    /** The model argument to resolve: the one given, else the default hub model. */
    String modelOrDefault() {
        return model != null ? model : DEFAULT_MODEL;
    }

    int sessionPort() {
        return uiPort + 1;
    }

    /** The engine-service: the trainer's and the rollout-service's APIs on one port. */
    int enginePort() {
        return uiPort + 2;
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }
}
