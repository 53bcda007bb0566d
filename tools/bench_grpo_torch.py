#!/usr/bin/env python3
"""PyTorch + peft timing of the GRPO step `espalier bench` times (DESIGN.md §5), on the same weights.

One step = reference pass with the adapter disabled (no grad) + policy pass + backward + clip_grad_norm_ + AdamW,
N rollouts of a shared prompt, full-sequence forwards with the vocabulary projection only where tokens are scored
(what the Java step does, and TRL's logits_to_keep), transformers' default attention (sdpa; --attn eager for the
explicit matmul-softmax-matmul the Java engine runs). Prints one JSON line. Run it with OMP_WAIT_POLICY=PASSIVE, as
./espalier runs Java: without it PyTorch's threads busy-wait and burn CPU.

Usage: /work/venv/py/bin/python tools/bench_grpo_torch.py --model /tmp/espalier-bench-smollm2-135m-seed0 --threads 2
"""
import argparse
import json
import resource
import statistics
import time

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--prompt-tokens", type=int, default=64)
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--attn", default="sdpa", help="attention implementation (transformers' default is sdpa)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)

    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32, attn_implementation=args.attn)
    peft_model = get_peft_model(model, LoraConfig(r=args.rank, lora_alpha=16, lora_dropout=0.0, target_modules=[
        "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
    params = [p for p in peft_model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=2e-5, weight_decay=0.0, foreach=False)
    vocab = model.config.vocab_size
    g = torch.Generator().manual_seed(0)
    prompt = torch.randint(3, vocab, (args.prompt_tokens,), generator=g)
    comps = torch.randint(3, vocab, (args.n, args.new_tokens), generator=g)
    ids = torch.cat([prompt.expand(args.n, -1), comps], dim=1)
    mask = torch.ones_like(ids)
    adv = torch.tensor([1.732, -0.577, -0.577, -0.577][: args.n])

    # As the Java step (and TRL) does: the vocabulary projection only at the positions scored, p-1 .. end.
    keep = args.new_tokens + 1

    def seq_logps(logits):
        logp = torch.log_softmax(logits[:, :-1].float(), dim=-1)
        return logp.gather(-1, comps.unsqueeze(-1)).squeeze(-1).sum(-1)

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.no_grad(), peft_model.disable_adapter():
            ref = seq_logps(peft_model(input_ids=ids, attention_mask=mask, logits_to_keep=keep).logits)
        s = seq_logps(peft_model(input_ids=ids, attention_mask=mask, logits_to_keep=keep).logits)
        length = float(args.new_tokens)
        drift = (s - ref) / length
        loss = (-adv * s / length).mean() + 0.03 * (drift ** 2).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()

    step()  # warm-up
    times = []
    cpu_times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        c0 = time.process_time()
        step()
        cpu_times.append(time.process_time() - c0)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"engine": "pytorch+peft", "torch": torch.__version__, "threads": args.threads, "attn": args.attn,
                      "n": args.n, "prompt_tokens": args.prompt_tokens, "new_tokens": args.new_tokens,
                      "rank": args.rank, "step_seconds": times, "median_s": statistics.median(times),
                      "best_s": min(times), "step_cpu_s": cpu_times, "cpu_s_best": min(cpu_times),
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
