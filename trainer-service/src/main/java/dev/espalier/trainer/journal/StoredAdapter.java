package dev.espalier.trainer.journal;

/** A policy version's PEFT adapter as a zip of adapter_model.safetensors + adapter_config.json. */
public record StoredAdapter(long policyVersion, String sha256, byte[] zip) {
}
