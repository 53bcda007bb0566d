#!/usr/bin/env python3
"""The `./espalier bench` measurement with transformers on the same weights, for a side-by-side comparison.

Same model directory (default: the one `./espalier bench` writes, SmolLM2-135M's shape with seeded random
weights), same prompt ids (DecodeBenchmark.prompt), same batch of N completions, same sampling (temperature 1.2,
min-p 0.1, EOS ignored via min_new_tokens), same torch thread count, same definitions:
  prefill = start -> first token of every row drawn; decode = first token -> last token;
  decode tokens/s = N * (new_tokens - 1) / decode seconds.
Timestamps come from a logits processor, which transformers calls once per step just before drawing.
decode_step_cpu_ms is the process CPU time over the decode span per step: on a shared machine it shows the work
done, where wall time mostly shows scheduling delays.

Usage: /work/venv/py/bin/python tools/bench_transformers.py [--model DIR] [--threads 2] [--repeat 3]
"""
import argparse
import json
import statistics
import tempfile
import time
import pathlib

import torch
import transformers
from transformers import AutoModelForCausalLM, LogitsProcessor, LogitsProcessorList


class Clock(LogitsProcessor):
    def __init__(self):
        self.times = []

    def __call__(self, input_ids, scores):
        self.times.append((time.perf_counter(), time.process_time()))
        return scores


def prompt(length, vocab):
    return [3 + (1000 + 31 * t) % (vocab - 3) for t in range(length)]


def run(model, rows, prompt_tokens, new_tokens, seed):
    ids = torch.tensor([prompt(prompt_tokens, model.config.vocab_size)] * rows)
    clock = Clock()
    torch.manual_seed(seed)
    start = time.perf_counter()
    with torch.no_grad():
        model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=True, temperature=1.2, min_p=0.1,
                       top_p=1.0, top_k=0, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                       logits_processor=LogitsProcessorList([clock]), pad_token_id=0)
    end, end_cpu = time.perf_counter(), time.process_time()
    # The clock fires before each draw; the last draw ends at `end` (generate returns right after it).
    first, first_cpu = clock.times[0]
    return {"prefill": first - start, "decode": end - first, "decode_cpu": end_cpu - first_cpu}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default=str(pathlib.Path(tempfile.gettempdir()) / "espalier-bench-smollm2-135m-seed0"))
    p.add_argument("--threads", type=int, default=torch.get_num_threads())
    p.add_argument("--n", type=int, default=4)
    p.add_argument("--prompt-tokens", type=int, default=64)
    p.add_argument("--new-tokens", type=int, default=128)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32).eval()
    run(model, a.n, a.prompt_tokens, 8, 0)  # warm-up
    runs = [run(model, a.n, a.prompt_tokens, a.new_tokens, i) for i in range(a.repeat)]
    decode = sorted(r["decode"] for r in runs)
    rate = lambda s: a.n * (a.new_tokens - 1) / s
    print(json.dumps({
        "engine": f"transformers {transformers.__version__} / torch {torch.__version__}",
        "model": a.model,
        "threads": torch.get_num_threads(),
        "rows": a.n,
        "prompt_tokens": a.prompt_tokens,
        "new_tokens": a.new_tokens,
        "repeats": a.repeat,
        "attn_implementation": model.config._attn_implementation,
        "decode_tokens_per_s_best": round(rate(decode[0]), 3),
        "decode_tokens_per_s_median": round(rate(decode[len(decode) // 2]), 3),
        "decode_step_ms_best": round(decode[0] / (a.new_tokens - 1) * 1e3, 3),
        "decode_step_cpu_ms_best": round(min(r["decode_cpu"] for r in runs) / (a.new_tokens - 1) * 1e3, 3),
        "prefill_ms_best": round(min(r["prefill"] for r in runs) * 1e3, 3),
    }))


if __name__ == "__main__":
    main()
