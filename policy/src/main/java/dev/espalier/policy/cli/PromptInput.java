package dev.espalier.policy.cli;

import dev.espalier.policy.model.CausalLm;

/**
 * Reads the prompt of {@code generate} from its arguments as token ids. The plain CLI takes {@code --prompt-ids};
 * the tokenizer (with {@code --prompt TEXT --chat --system S}) plugs in here.
 */
@FunctionalInterface
public interface PromptInput {

    int[] tokenIds(Args args, CausalLm model);

    PromptInput TOKEN_IDS = (args, model) -> args.integers("prompt-ids");
}
