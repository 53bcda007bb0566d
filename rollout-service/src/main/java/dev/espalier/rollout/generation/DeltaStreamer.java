package dev.espalier.rollout.generation;

import dev.espalier.policy.generate.FinishReason;
import dev.espalier.policy.generate.TokenListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Turns a generation's tokens into text deltas and publishes them on a thread of its own, so the model thread only
 * queues token ids. Publishing a delta (JSON, hand-off to the Kafka producer) cost milliseconds each on a busy machine,
 * and a prompt of N + 1 rows makes one per row and token: on the model thread that added a third to the generation
 * time. Every {@code tick} the streaming thread decodes what arrived and sends at most one delta per row with the text
 * of all its new tokens, so a slow sink makes fewer, larger deltas instead of a slower model.
 */
public final class DeltaStreamer implements AutoCloseable {

    /** One row's text decoder (a {@code StreamingDecoder} in the service). */
    public interface Decoder {
        /** The text the token completes, often "". */
        String push(int tokenId);

        /** What was held back, once the row has ended. */
        String flush();

        /** All text returned so far. */
        String text();
    }

    /** Where a row's deltas go, in {@code seq} order per row. */
    @FunctionalInterface
    public interface Target {
        void delta(int row, long seq, String text, boolean done);
    }

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("token-stream").daemon().factory());
    private final long tickMillis;

    public DeltaStreamer(Duration tick) {
        this.tickMillis = tick.toMillis();
    }

    /** Starts streaming one generation, one decoder per row; the returned listener goes to the generator. */
    public Stream open(List<? extends Decoder> decoders, Target target) {
        return new Stream(decoders, target);
    }

    /** The deltas of one generation; {@link #finish()} once the generator has returned. */
    public final class Stream implements TokenListener {

        private record Token(int row, int tokenId, boolean last) {
        }

        private final List<? extends Decoder> decoders;
        private final Target target;
        private final ConcurrentLinkedQueue<Token> arrived = new ConcurrentLinkedQueue<>();
        /** Touched on the streaming thread only. */
        private final long[] seq;
        private final StringBuilder[] pending;
        private final boolean[] ended;
        private RuntimeException failure;
        private final ScheduledFuture<?> ticking;

        private Stream(List<? extends Decoder> decoders, Target target) {
            this.decoders = List.copyOf(decoders);
            this.target = target;
            this.seq = new long[decoders.size()];
            this.pending = new StringBuilder[decoders.size()];
            this.ended = new boolean[decoders.size()];
            for (int i = 0; i < pending.length; i++) {
                pending[i] = new StringBuilder();
            }
            this.ticking = thread.scheduleWithFixedDelay(this::drain, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void onToken(int row, int tokenId, float logprob) {
            arrived.add(new Token(row, tokenId, false));
        }

        @Override
        public void onFinish(int row, FinishReason reason) {
            arrived.add(new Token(row, -1, true));
        }

        /**
         * Decodes and sends whatever is still queued, stops the ticks and returns each row's whole text (what its
         * deltas concatenate to). A decoding failure on the streaming thread is thrown here.
         */
        public List<String> finish() {
            ticking.cancel(false);
            try {
                thread.submit(this::drain).get(); // runs after a drain in progress: one thread
            } catch (ExecutionException e) {
                throw new IllegalStateException("token stream failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while finishing the token stream", e);
            }
            if (failure != null) {
                throw failure;
            }
            return decoders.stream().map(Decoder::text).toList();
        }

        /** Stops the ticks of a generation that failed; what is still queued is not sent. */
        public void abandon() {
            ticking.cancel(false);
        }

        private void drain() {
            if (failure != null) {
                return;
            }
            try {
                for (Token t = arrived.poll(); t != null; t = arrived.poll()) {
                    Decoder decoder = decoders.get(t.row());
                    if (t.last()) {
                        pending[t.row()].append(decoder.flush());
                        ended[t.row()] = true;
                    } else {
                        pending[t.row()].append(decoder.push(t.tokenId()));
                    }
                }
                for (int row = 0; row < pending.length; row++) {
                    if (!pending[row].isEmpty() || ended[row]) {
                        target.delta(row, seq[row]++, pending[row].toString(), ended[row]);
                        pending[row].setLength(0);
                        ended[row] = false;
                    }
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
