package dev.espalier.policy.text;

/** A chat template that does not parse, or that raised an error while rendering (its own message included). */
public class ChatTemplateException extends RuntimeException {

    public ChatTemplateException(String message) {
        super(message);
    }
}
