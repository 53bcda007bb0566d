package dev.espalier.rollout.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.policy.generate.FinishReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeltaStreamerTest {

    private final DeltaStreamer streamer = new DeltaStreamer(Duration.ofMillis(5));

    private record Delta(int row, long seq, String text, boolean done) {
    }

    /** Token id n decodes to "n "; id 0 is half a character, held back until the next token. */
    private static class FakeDecoder implements DeltaStreamer.Decoder {
        private final StringBuilder text = new StringBuilder();
        private boolean holding;

        @Override
        public String push(int tokenId) {
            if (tokenId == 0) {
                holding = true;
                return "";
            }
            String out = (holding ? "0 " : "") + tokenId + " ";
            holding = false;
            text.append(out);
            return out;
        }

        @Override
        public String flush() {
            String out = holding ? "\uFFFD" : "";
            holding = false;
            text.append(out);
            return out;
        }

        @Override
        public String text() {
            return text.toString();
        }
    }

    @AfterEach
    void close() {
        streamer.close();
    }

    @Test
    void deltas_concatenateToEachRowsText_inSeqOrder_withOneDoneDeltaLast() {
        List<Delta> sent = new CopyOnWriteArrayList<>();
        DeltaStreamer.Stream stream = streamer.open(List.of(new FakeDecoder(), new FakeDecoder()),
                (row, seq, text, done) -> sent.add(new Delta(row, seq, text, done)));
        for (int t = 1; t <= 30; t++) {
            stream.onToken(0, t, 0f);
            stream.onToken(1, t % 3, 0f);
        }
        stream.onFinish(1, FinishReason.LENGTH);
        stream.onToken(0, 0, 0f);
        stream.onFinish(0, FinishReason.LENGTH);

        List<String> texts = stream.finish();

        for (int row = 0; row < 2; row++) {
            int r = row;
            List<Delta> ofRow = sent.stream().filter(d -> d.row() == r).toList();
            StringBuilder joined = new StringBuilder();
            for (int i = 0; i < ofRow.size(); i++) {
                assertEquals(i, ofRow.get(i).seq(), "seq of delta " + i + " of row " + row);
                assertEquals(i == ofRow.size() - 1, ofRow.get(i).done(), "done only on the last delta of row " + row);
                joined.append(ofRow.get(i).text());
            }
            assertEquals(texts.get(row), joined.toString(), "row " + row + ": deltas concatenate to the text");
        }
        assertTrue(texts.get(0).endsWith("30 \uFFFD"), texts.get(0));
    }

    @Test
    void theGeneratingThread_isNotHeldUp_byASinkThatBlocks() throws InterruptedException {
        CountDownLatch sinkReleased = new CountDownLatch(1);
        List<Delta> sent = new CopyOnWriteArrayList<>();
        DeltaStreamer.Stream stream = streamer.open(List.of(new FakeDecoder()), (row, seq, text, done) -> {
            try {
                sinkReleased.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sent.add(new Delta(row, seq, text, done));
        });
        for (int t = 1; t <= 1000; t++) {
            stream.onToken(0, t, 0f); // would wait for the sink if the deltas were sent on this thread
        }
        stream.onFinish(0, FinishReason.LENGTH);
        assertTrue(sent.isEmpty(), "nothing can have reached the blocked sink yet");
        sinkReleased.countDown();

        List<String> texts = stream.finish();

        assertEquals(texts.get(0), String.join("", sent.stream().map(Delta::text).toList()));
        assertTrue(sent.getLast().done());
        assertTrue(sent.size() < 1000, "a sink slower than the tokens gets fewer, larger deltas: " + sent.size());
    }

    @Test
    void aDecoderFailure_isThrownByFinish() {
        DeltaStreamer.Decoder broken = new FakeDecoder() {
            @Override
            public String push(int tokenId) {
                throw new IllegalStateException("cannot decode " + tokenId);
            }
        };
        DeltaStreamer.Stream stream = streamer.open(List.of(broken), (row, seq, text, done) -> { });
        stream.onToken(0, 7, 0f);

        IllegalStateException e = assertThrows(IllegalStateException.class, stream::finish);

        assertEquals("cannot decode 7", e.getMessage());
    }

    @Test
    void aStreamAbandoned_afterAFailedGeneration_stopsTicking() throws InterruptedException {
        List<Delta> sent = new ArrayList<>();
        DeltaStreamer.Stream stream = streamer.open(List.of(new FakeDecoder()),
                (row, seq, text, done) -> sent.add(new Delta(row, seq, text, done)));
        stream.abandon();
        stream.onToken(0, 1, 0f);
        TimeUnit.MILLISECONDS.sleep(50);

        assertEquals(List.of(), sent);
    }
}
