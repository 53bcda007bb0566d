package dev.espalier.policy.generate;

/**
 * What one row produced.
 *
 * @param index        the row's index in the request
 * @param tokenIds     the new tokens, the EOS included when finishReason is STOP
 * @param logprobs     log p(token) under the model at temperature 1 with no filtering (what training scores),
 *                     one per token
 * @param finishReason why it ended
 */
public record Completion(int index, int[] tokenIds, float[] logprobs, FinishReason finishReason) {
}
