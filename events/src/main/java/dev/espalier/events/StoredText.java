package dev.espalier.events;

/**
 * Text every store and browser can hold. PostgreSQL's text and jsonb cannot hold U+0000 (NUL), which a model may
 * well generate: in generated text (rollouts, token deltas) and in prompts read from files or datasets it becomes
 * U+FFFD, the replacement character, while the token ids stay exactly what the model wrote. Text a person sends is
 * refused instead ({@link #requireNoNul}), so what they typed is never changed behind their back.
 */
public final class StoredText {

    public static final char REPLACEMENT = '\uFFFD';

    private StoredText() {
    }

    /** {@code text} with every NUL replaced by U+FFFD; null stays null. */
    public static String clean(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace('\0', REPLACEMENT);
    }

    public static boolean holdsNul(String text) {
        return text != null && text.indexOf('\0') >= 0;
    }
}
