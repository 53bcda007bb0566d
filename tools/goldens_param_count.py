#!/usr/bin/env python3
"""Writes the parameter counts transformers gives for model configs, for the session-service's model preview test.

The preview counts a hub model's weights from its config.json alone (nothing but the small files is fetched); this
golden pins that count to what transformers builds from the same config. Shapes of real models (SmolLM2-135M,
Qwen2.5-0.5B, Qwen3-0.6B, Llama 3.2 1B, Mistral 7B) plus variants with biases and untied heads; built on the meta
device, so nothing is allocated.

Usage: /work/venv/py/bin/python tools/goldens_param_count.py   (from the repository root)
Output: session-service/src/test/resources/golden/parameter-counts.json
"""
import json
from pathlib import Path

import torch
from transformers import AutoConfig, AutoModelForCausalLM

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "session-service/src/test/resources/golden/parameter-counts.json"

CASES = {
    "smollm2-135m": dict(model_type="llama", architectures=["LlamaForCausalLM"], hidden_size=576,
                         num_hidden_layers=30, num_attention_heads=9, num_key_value_heads=3,
                         intermediate_size=1536, vocab_size=49152, tie_word_embeddings=True),
    "llama-attention-and-mlp-bias-untied": dict(model_type="llama", architectures=["LlamaForCausalLM"],
                                                hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                                                num_key_value_heads=2, intermediate_size=96, vocab_size=100,
                                                attention_bias=True, mlp_bias=True, tie_word_embeddings=False),
    "llama-3.2-1b": dict(model_type="llama", architectures=["LlamaForCausalLM"], hidden_size=2048,
                         num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=8, head_dim=64,
                         intermediate_size=8192, vocab_size=128256, tie_word_embeddings=True, max_position_embeddings=131072,
                         rope_scaling={"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0,
                                       "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}),
    "qwen2.5-0.5b": dict(model_type="qwen2", architectures=["Qwen2ForCausalLM"], hidden_size=896,
                         num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
                         intermediate_size=4864, vocab_size=151936, tie_word_embeddings=True),
    "qwen3-0.6b": dict(model_type="qwen3", architectures=["Qwen3ForCausalLM"], hidden_size=1024,
                       num_hidden_layers=28, num_attention_heads=16, num_key_value_heads=8, head_dim=128,
                       intermediate_size=3072, vocab_size=151936, tie_word_embeddings=True),
    "qwen3-attention-bias-untied": dict(model_type="qwen3", architectures=["Qwen3ForCausalLM"], hidden_size=64,
                                        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                                        head_dim=32, intermediate_size=96, vocab_size=100, attention_bias=True,
                                        tie_word_embeddings=False),
    "mistral-7b": dict(model_type="mistral", architectures=["MistralForCausalLM"], hidden_size=4096,
                       num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
                       intermediate_size=14336, vocab_size=32000, tie_word_embeddings=False, sliding_window=4096),
}


def main():
    cases = []
    for name, fields in CASES.items():
        config = AutoConfig.for_model(**fields)
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(config)
        count = sum(p.numel() for p in model.parameters())
        cases.append({"name": name, "config": fields, "parameters": count})
        print(name, count)
    OUT.write_text(json.dumps(cases, indent=1) + "\n")


if __name__ == "__main__":
    main()
