package dev.espalier.rollout.ask;

/**
 * One completion of a free question, at a session's current policy. Not an event: nothing is stored or sent.
 *
 * @param tokens       how many tokens were generated
 * @param finishReason "stop" or "length"
 */
public record Answer(String text, int tokens, long policyVersion, String finishReason) {
}
