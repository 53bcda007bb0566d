package dev.espalier.policy.train;

/** What a step optimises (DESIGN.md §5). */
public enum Objective {
    GRPO, DPO;

    public static Objective parse(String name) {
        return switch (name) {
            case "grpo" -> GRPO;
            case "dpo" -> DPO;
            default -> throw new IllegalArgumentException("--objective must be grpo or dpo, got '" + name + "'");
        };
    }
}
