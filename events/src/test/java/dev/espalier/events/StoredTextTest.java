package dev.espalier.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Text the event store cannot hold: replaced in what a model wrote, refused in what a person typed. */
class StoredTextTest {

    @Test
    void generatedText_withNul_isStoredWithTheReplacementCharacter_andItsTokenIdsAsTheyWere() {
        var rollout = new SessionEvent.RolloutsReady.Rollout(0, "a\u0000b", List.of(5, 0, 6), List.of(-1.0, -2.0, -3.0),
                "eos");
        assertEquals("a\uFFFDb", rollout.text());
        assertEquals(List.of(5, 0, 6), rollout.tokenIds());
        assertEquals("\uFFFD", new TokenDelta(SampleEvents.id(1), SampleEvents.id(2), 0, 0, "\u0000", false)
                .textDelta());
        assertEquals("x\uFFFD", ChatMessage.user("x\u0000").content());
    }

    @Test
    void aTypedPromptWithNul_isRefused_namingIt() {
        var e = assertThrows(SessionConfig.InvalidConfigException.class, () -> new SessionConfig.PromptSourceSpec(
                SessionConfig.PromptSourceSpec.Kind.TYPED, null, null, null, List.of("ok", "bad\u0000"), 1));
        assertEquals("prompts.typed[1]", e.field());
    }
}
