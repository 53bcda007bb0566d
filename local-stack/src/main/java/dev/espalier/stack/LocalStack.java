package dev.espalier.stack;

import dev.espalier.hub.HubClient;
import dev.espalier.infra.EmbeddedKafka;
import dev.espalier.infra.EmbeddedPostgres;
import dev.espalier.infra.ServiceProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code ./espalier up}: PostgreSQL and a KRaft Kafka broker in this JVM with their data under the stack's home
 * ({@code ~/.espalier}), the model resolved once, then the session-service, the engine-service and the UI as child
 * JVMs on consecutive ports (UI on 8080). The engine-service is the trainer-service and the rollout-service in one
 * process, so training and rollouts share one copy of the base model and one model thread. Everything lives in the
 * home directory, so stopping (Ctrl-C) and starting again resumes every session: the event store and the trainer's
 * journal are in PostgreSQL, the consumers' offsets in Kafka.
 * <p>
 * It supervises: a service that dies by itself is restarted with a growing pause ({@link Supervised}) while the rest
 * stays up. Its children die with it however it dies (each is tied to the main thread, {@link ServiceProcess}), and
 * what an earlier launcher killed without a chance to clean up left behind is ended before this one starts
 * ({@link Leftovers}).
 */
public final class LocalStack implements AutoCloseable {

    private static final Duration START = Duration.ofMinutes(3);

    private final StackOptions options;
    private final PrintStream out;
    /** Read by the watching thread while the shutdown hook empties it. */
    private final List<Supervised> services = new CopyOnWriteArrayList<>();
    private FileLock homeLock;
    private EmbeddedPostgres postgres;
    private EmbeddedKafka kafka;
    private volatile boolean stopping;

    LocalStack(StackOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        StackOptions options;
        try {
            options = StackOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("espalier up: " + e.getMessage() + "\n" + StackOptions.USAGE);
            System.exit(2);
            return;
        }
        LocalStack stack = new LocalStack(options, System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (stack.holdsHome()) {
                System.out.println("\nespalier: stopping…");
            }
            stack.close();
        }, "espalier-stop"));
        try {
            stack.start(new ModelSource(HubClient.fromEnvironment(), System.out));
            stack.watch();
        } catch (ModelSource.ModelUnavailable | PortInUse | Leftovers.HomeInUse e) {
            System.err.println("espalier up: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("espalier up: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Whether this launcher took its home: then it has something to stop. */
    synchronized boolean holdsHome() {
        return homeLock != null;
    }

    void start(ModelSource models) throws InterruptedException {
        Path home = options.home();
        homeLock = Leftovers.lock(home);
        Leftovers.endServices(home, out);
        Leftovers.endPostgres(home.resolve("postgres"), out);
        for (int port : new int[] {options.uiPort(), options.sessionPort(), options.enginePort()}) {
            requireFree(port);
        }
        Path model = models.resolve(options);
        out.println("espalier: model " + model);
        out.println("espalier: PostgreSQL in " + home.resolve("postgres") + ", Kafka in " + home.resolve("kafka"));
        postgres = EmbeddedPostgres.start(home.resolve("postgres"));
        kafka = EmbeddedKafka.start(home.resolve("kafka"));
        Path logs = home.resolve("logs");

        ServiceProcess session = launch("session-service", List.of("-Xmx512m"), options.sessionPort(), true,
                Map.of("espalier.session.served-model", model.toString(),
                        "espalier.session.rollout-url", url(options.enginePort())), logs);
        // policy's HostDecoder.ENABLED_PROPERTY: decoding stays on libtorch, so the heap holds no copy of the weights.
        List<String> engineJvm = options.lowMemory() ? List.of("-Xmx1g", "-Despalier.host-decode=false") : List.of("-Xmx1g");
        ServiceProcess engine = launch("engine-service", engineJvm, options.enginePort(), true,
                Map.of("espalier.trainer.work-dir", home.resolve("trainer").toString(),
                        "espalier.rollout.model", model.toString(),
                        "espalier.rollout.session-url", url(options.sessionPort()),
                        "espalier.rollout.work-dir", home.resolve("rollout").toString()), logs);
        ServiceProcess ui = launch("ui-vaadin", List.of("-Xmx768m"), options.uiPort(), false,
                Map.of("espalier.session-service.url", url(options.sessionPort()),
                        "espalier.trainer-service.url", url(options.enginePort()),
                        "espalier.rollout-service.url", url(options.enginePort()),
                        "espalier.ui.default-model", model.toString()), logs);
        for (ServiceProcess s : List.of(session, engine, ui)) {
            out.println("espalier: waiting for " + s.module() + " (log " + s.log() + ")");
            s.awaitStarted(START);
        }
        recordChildren();
        out.println("""

                Espalier is up.
                  UI               %s
                  session API      %s/sessions   (OpenAPI: /q/openapi)
                  engine           %s   (trainer + rollouts, one copy of the model)
                  model            %s   <- use this as the session's model
                  data and logs    %s
                Ctrl-C stops everything; ./espalier up again resumes every session.
                """.formatted(url(options.uiPort()), url(options.sessionPort()), url(options.enginePort()), model, home));
    }

    /** Blocks while the stack runs, restarting a service that dies by itself. Runs on the main thread. */
    void watch() throws InterruptedException {
        while (!stopping) {
            for (Supervised s : services) {
                ServiceProcess before = s.process();
                synchronized (this) { // close() stops the services inside this monitor: none is taken for a crash
                    if (!stopping) {
                        s.check(out);
                    }
                }
                if (s.process() != before) {
                    recordChildren();
                }
            }
            Thread.sleep(1000);
        }
    }

    private void recordChildren() {
        Leftovers.record(options.home(), services.stream().map(s -> s.process().pid())
                .flatMap(pid -> ProcessHandle.of(pid).stream()).toList());
    }

    private ServiceProcess launch(String module, List<String> jvm, int port, boolean database,
                                  Map<String, String> extra, Path logs) {
        Map<String, String> p = new HashMap<>();
        p.put("quarkus.http.port", Integer.toString(port));
        p.put("quarkus.http.host", "127.0.0.1");
        p.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        if (database) {
            p.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
            p.put("quarkus.datasource.username", postgres.username());
            p.put("quarkus.datasource.password", postgres.password());
        }
        p.putAll(extra);
        List<String> options = new ArrayList<>(jvm);
        options.add("-Dai.djl.offline=true");
        Supervised service = new Supervised(() -> ServiceProcess.start(this.options.root(), module, options, p,
                logs.resolve(module + ".log"), true), Clock.systemUTC());
        services.add(service);
        return service.process();
    }

    private static String url(int port) {
        return "http://localhost:" + port;
    }

    static void requireFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            socket.setReuseAddress(true);
        } catch (IOException e) {
            throw new PortInUse("port " + port + " is in use (another ./espalier up, or another program). Stop it, "
                    + "or start on other ports: ./espalier up --port N (the UI on N, the services on N+1 and N+2)");
        }
    }

    static final class PortInUse extends RuntimeException {
        PortInUse(String message) {
            super(message);
        }
    }

    /** Services first (they commit their Kafka offsets on a graceful stop), then Kafka, then PostgreSQL. */
    @Override
    public synchronized void close() {
        stopping = true;
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).process().stop();
        }
        services.clear();
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
        if (homeLock != null) {
            try {
                Files.deleteIfExists(options.home().resolve("up.pids"));
                homeLock.release();
                homeLock.channel().close();
            } catch (IOException e) {
                out.println("espalier: could not release " + options.home().resolve("up.lock") + ": "
                        + e.getMessage());
            }
            homeLock = null;
        }
    }
}
