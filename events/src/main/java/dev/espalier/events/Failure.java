package dev.espalier.events;

import java.util.Objects;

/**
 * Why a generation or a training step could not be done, as the person reads it.
 *
 * @param kind   what went wrong, for the UI to choose its offer (a timeout may succeed on retry, a prompt too long
 *               never will)
 * @param reason the cause in words, naming the setting to change where there is one
 */
public record Failure(Kind kind, String reason) {

    public enum Kind {
        /** The computation raised an error (a model or engine error, a missing input). */
        ERROR,
        /** The model produced NaN or infinite values. */
        NON_FINITE,
        /** The device or the process ran out of memory. */
        OUT_OF_MEMORY,
        /** No answer came within the configured time. */
        TIMEOUT,
        /** The prompt and the answers' length do not fit in the model's context. */
        PROMPT_TOO_LONG,
        /** The process died during it more than once (a crash, an out-of-memory kill); not tried again by itself. */
        INTERRUPTED
    }

    public Failure {
        Objects.requireNonNull(kind, "kind");
        reason = reason == null || reason.isBlank() ? kind.name().toLowerCase().replace('_', ' ') : reason;
        reason = StoredText.clean(reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason);
    }

    /** Engine messages can carry whole stack traces; the event keeps their start. */
    public static final int MAX_REASON_CHARS = 2000;

    /** Classifies a throwable raised by the engine: out-of-memory by its type or the engine's words for it. */
    public static Failure of(Throwable t) {
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof OutOfMemoryError || message.contains("out of memory") || message.contains("bad_alloc")
                || message.contains("OutOfMemory")) {
            return new Failure(Kind.OUT_OF_MEMORY, message);
        }
        return new Failure(Kind.ERROR, message);
    }
}
