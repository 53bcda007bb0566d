package dev.espalier.trainer.training;

/**
 * A policy version rebuilt from its nearest full checkpoint plus the journaled steps after it.
 *
 * @param fromCheckpointVersion the checkpoint it started from; null = from the seed (version 0)
 */
public record Rebuilt(long policyVersion, String sha256, int stepsReplayed, Long fromCheckpointVersion) {
}
