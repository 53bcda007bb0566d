#!/usr/bin/env python3
"""Writes the transformers reference fixtures for the Java model tests (dev-time only, never run by the build).

For each case, `./espalier init-model` writes a tiny seeded random model (the Java test rebuilds the identical model
at test time, so no weights are committed; the fixture records the safetensors sha256 to catch drift), then
transformers computes, in float32 with eager attention:
  - the logits of every position of three prompts of different lengths (each prompt alone, no padding), and
  - 32 greedy tokens per prompt (argmax of a full forward per step, stopping at an EOS id).

Usage: /work/venv/py/bin/python tools/goldens_model.py   (from the repository root; builds the CLI if needed)
Output: policy/src/test/resources/golden/model/<case>.json
"""
import hashlib
import json
import pathlib
import subprocess
import sys
import tempfile

import torch
import transformers
from transformers import AutoModelForCausalLM

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "policy/src/test/resources/golden/model"

SMALL = ["--vocab", "96", "--hidden", "32", "--layers", "2", "--intermediate", "64", "--max-positions", "64"]
CASES = {
    # Llama with grouped-query attention (4 query heads share 2 kv heads) and a tied head.
    "llama_gqa_tied": ["--arch", "llama", *SMALL, "--heads", "4", "--kv-heads", "2", "--tied", "--seed", "22"],
    # Llama 3 rope_scaling (head_dim 8: one smoothed band, three scaled bands), multi-head, untied.
    "llama3_rope_scaling": ["--arch", "llama", *SMALL, "--heads", "4", "--kv-heads", "4", "--rope-scaling", "llama3",
                            "--seed", "12"],
    # Mistral with a sliding window shorter than prompt + completion.
    "mistral_sliding_window": ["--arch", "mistral", *SMALL, "--heads", "4", "--kv-heads", "1",
                               "--sliding-window", "8", "--seed", "13"],
    # Qwen2: q/k/v biases, untied.
    "qwen2_bias": ["--arch", "qwen2", *SMALL, "--heads", "4", "--kv-heads", "2", "--seed", "14"],
    # Qwen3: per-head q/k RMSNorm, explicit head_dim (4 × 16 = 64 != hidden 32), tied.
    "qwen3_qk_norm": ["--arch", "qwen3", *SMALL, "--heads", "4", "--kv-heads", "2", "--head-dim", "16", "--tied",
                      "--seed", "15"],
}
PROMPTS = [[1, 17, 42, 5, 88], [1, 3, 9, 27, 81, 50, 60, 70, 11, 12, 13], [1, 95, 94, 93, 4, 4, 4, 30]]
GREEDY_TOKENS = 32


def init_model(args, out):
    subprocess.run([str(ROOT / "espalier"), "init-model", *args, "--out", str(out)], check=True,
                   stdout=subprocess.DEVNULL)


def greedy(model, prompt, eos):
    ids = list(prompt)
    new = []
    with torch.no_grad():
        for _ in range(GREEDY_TOKENS):
            token = int(model(torch.tensor([ids])).logits[0, -1].argmax())
            new.append(token)
            ids.append(token)
            if token in eos:
                break
    return new


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    for name, args in CASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            model_dir = pathlib.Path(tmp) / name
            init_model(args, model_dir)
            sha = hashlib.sha256((model_dir / "model.safetensors").read_bytes()).hexdigest()
            model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32,
                                                         attn_implementation="eager").eval()
            eos = model.generation_config.eos_token_id
            eos = set(eos if isinstance(eos, list) else [eos])
            with torch.no_grad():
                logits = [model(torch.tensor([p])).logits[0].tolist() for p in PROMPTS]
            fixture = {
                "case": name,
                "init_model_args": args,
                "safetensors_sha256": sha,
                "reference": f"transformers {transformers.__version__}, torch {torch.__version__}, float32, eager",
                "prompts": PROMPTS,
                "logits": logits,
                "greedy": [greedy(model, p, eos) for p in PROMPTS],
            }
        path = OUT / f"{name}.json"
        path.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes, greedy lengths "
              f"{[len(g) for g in fixture['greedy']]}", file=sys.stderr)


if __name__ == "__main__":
    main()
