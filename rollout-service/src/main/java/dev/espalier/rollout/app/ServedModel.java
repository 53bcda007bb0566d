package dev.espalier.rollout.app;

import java.nio.file.Path;

/** The one base model of this process: the directory its weights and tokenizer are read from. */
public record ServedModel(Path dir) {
}
