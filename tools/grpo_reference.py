#!/usr/bin/env python3
"""Independent PyTorch + peft reference for Espalier's training step (DESIGN.md §5), for golden fixtures.

Written from DESIGN.md §5, not from the Java code: per-rollout log-probabilities are gathered one completion at a
time, the optimizer is torch.optim.AdamW and clipping is torch.nn.utils.clip_grad_norm_.

Writes into OUT (a test-resources folder):
  model/                 the base model (config.json + model.safetensors)
  start/                 a PEFT adapter written by peft's save_pretrained (B made non-zero so A gets gradients)
  cases.json             the step cases (prompt_ids, completions, choice)
  <run>/after1, after3   adapter_model.safetensors after one and three steps, per run (objective + aggregation)
  <run>/moments1, moments3  AdamW's exp_avg / exp_avg_sq after one and three steps (keys as optimizer.safetensors)
  <run>/metrics.json     loss, policy term, KL term, grad norm (pre-clip) of each step
  logits.json            logits of `start` on a probe sequence (PEFT-forward golden)

--arch toy: a position-wise model with llama's projection names (fast, no attention), whose Java twin lives in
the tests. --arch llama: a tiny transformers LlamaForCausalLM.

Usage: /work/venv/py/bin/python tools/grpo_reference.py --arch toy --out policy/src/test/resources/golden/grpo-toy
"""
import argparse
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from peft import LoraConfig, PeftModel, get_peft_model
from safetensors.torch import save_file

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


class ToyAttention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)

    def forward(self, h):
        return self.o_proj(self.q_proj(h) * torch.sigmoid(self.k_proj(h)) + self.v_proj(h))


class ToyMlp(nn.Module):
    def __init__(self, d, inter):
        super().__init__()
        self.gate_proj = nn.Linear(d, inter, bias=False)
        self.up_proj = nn.Linear(d, inter, bias=False)
        self.down_proj = nn.Linear(inter, d, bias=False)

    def forward(self, h):
        return self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class ToyLayer(nn.Module):
    def __init__(self, d, inter):
        super().__init__()
        self.self_attn = ToyAttention(d)
        self.mlp = ToyMlp(d, inter)

    def forward(self, h):
        h = h + self.self_attn(h)
        return h + self.mlp(h)


class ToyInner(nn.Module):
    def __init__(self, vocab, d, inter, layers):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList([ToyLayer(d, inter) for _ in range(layers)])


class ToyLm(nn.Module):
    """h = E[x]; per layer h += o(q(h)·σ(k(h)) + v(h)); h += down(silu(gate(h))·up(h)); logits = h·Eᵀ."""

    def __init__(self, vocab=48, d=16, inter=24, layers=2):
        super().__init__()
        self.model = ToyInner(vocab, d, inter, layers)
        self.config = {"model_type": "espalier-toy", "vocab_size": vocab, "hidden_size": d,
                       "intermediate_size": inter, "num_hidden_layers": layers}

    def forward(self, input_ids, attention_mask=None):
        h = self.model.embed_tokens(input_ids)
        for layer in self.model.layers:
            h = layer(h)
        return h @ self.model.embed_tokens.weight.T


def build(arch, out):
    torch.manual_seed(1234)
    if arch == "toy":
        model = ToyLm()
        with torch.no_grad():
            for p in model.parameters():
                p.normal_(0, 0.3)
        os.makedirs(f"{out}/model", exist_ok=True)
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, f"{out}/model/model.safetensors",
                  metadata={"format": "pt"})
        json.dump(model.config, open(f"{out}/model/config.json", "w"), indent=2)
        return model, lambda m, ids, mask: m(ids)
    from transformers import LlamaConfig, LlamaForCausalLM
    cfg = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True,
                      max_position_embeddings=128, rms_norm_eps=1e-5, rope_theta=10000.0)
    model = LlamaForCausalLM(cfg).float()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" not in name:
                p.normal_(0, 0.2)
    model.save_pretrained(f"{out}/model", safe_serialization=True)
    return model, lambda m, ids, mask: m(input_ids=ids, attention_mask=mask).logits


def cases(vocab):
    g = torch.Generator().manual_seed(99)
    rnd = lambda n: torch.randint(1, vocab, (n,), generator=g).tolist()
    return [
        {"prompt_ids": rnd(4), "completions": [rnd(3), rnd(5), rnd(1), rnd(4)], "choice": 2},
        {"prompt_ids": rnd(3), "completions": [rnd(2), rnd(2), rnd(6), rnd(3)], "choice": -1},
        {"prompt_ids": rnd(5), "completions": [rnd(4), rnd(1), rnd(3), rnd(2)], "choice": 0},
    ]


def sequence_logprobs(peft_model, forward, case, adapter_on):
    """S_i = Σ_t log softmax(logits at the position before c_{i,t})[c_{i,t}], one rollout at a time."""
    prompt = case["prompt_ids"]
    sums = []
    for comp in case["completions"]:
        ids = torch.tensor([prompt + comp])
        mask = torch.ones_like(ids)
        if adapter_on:
            logits = forward(peft_model, ids, mask)
        else:
            with peft_model.disable_adapter(), torch.no_grad():
                logits = forward(peft_model, ids, mask)
        positions = torch.arange(len(prompt) - 1, len(prompt) - 1 + len(comp))
        logp = torch.log_softmax(logits[0, positions].float(), dim=-1)
        sums.append(logp[torch.arange(len(comp)), torch.tensor(comp)].sum())
    return torch.stack(sums), torch.tensor([float(len(c)) for c in case["completions"]])


def advantages(choice, g):
    if choice == -1:
        return torch.full((g,), -1.0)
    r = torch.zeros(g)
    r[choice] = 1.0
    return (r - r.mean()) / (r.std(unbiased=False) + 1e-8)


def loss_of(peft_model, forward, case, run):
    s, lengths = sequence_logprobs(peft_model, forward, case, True)
    with torch.no_grad():
        ref, _ = sequence_logprobs(peft_model, forward, case, False)
    drift = (s - ref) / lengths
    kl = (drift ** 2).mean()
    if run["objective"] == "grpo":
        a = advantages(case["choice"], len(case["completions"]))
        if run["aggregation"] == "seq-mean":
            policy = (-a * s / lengths).mean()
        elif run["aggregation"] == "seq-sum":
            policy = (-a * s).mean()
        else:
            policy = (-a * s).sum() / lengths.sum()
        return policy + run["kl_beta"] * kl, policy, kl
    margin = s - ref
    k = case["choice"]
    if k == -1:
        z = -run["dpo_beta"] * margin
    else:
        z = run["dpo_beta"] * (margin[k] - torch.cat([margin[:k], margin[k + 1:]]))
    policy = -F.logsigmoid(z).mean()
    return policy, policy, kl


def lora_state(peft_model):
    return {k.replace(".default", ""): v.detach().clone().contiguous()
            for k, v in peft_model.state_dict().items() if "lora_" in k}


def moments(peft_model, opt):
    """AdamW's first and second moments under the keys of Espalier's optimizer.safetensors (<PEFT key>.exp_avg)."""
    out = {}
    for n, p in peft_model.named_parameters():
        if "lora_" in n:
            key = n.replace(".default", "")
            out[key + ".exp_avg"] = opt.state[p]["exp_avg"].clone().contiguous()
            out[key + ".exp_avg_sq"] = opt.state[p]["exp_avg_sq"].clone().contiguous()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=["toy", "llama"], default="toy")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    out = args.out
    torch.set_num_threads(1)

    base, forward = build(args.arch, out)
    vocab = 48 if args.arch == "toy" else 64
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=TARGETS, lora_dropout=0.0, init_lora_weights=True)
    peft_model = get_peft_model(base, lora)
    with torch.no_grad():  # non-zero B so every parameter has a gradient from step 1
        for name, p in peft_model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.05)
    peft_model.save_pretrained(f"{out}/start")
    os.remove(f"{out}/start/README.md")  # model card boilerplate, not part of the format
    start = {k: v.clone() for k, v in peft_model.state_dict().items() if "lora_" in k}

    all_cases = cases(vocab)
    json.dump(all_cases, open(f"{out}/cases.json", "w"))

    probe = torch.tensor([[3, 7, 1, 9, 4, 2]])
    with torch.no_grad():
        probe_logits = forward(peft_model, probe, torch.ones_like(probe))[0]
    json.dump({"ids": probe[0].tolist(), "logits": probe_logits.tolist()}, open(f"{out}/logits.json", "w"))

    runs = {
        "grpo-seq-mean": dict(objective="grpo", aggregation="seq-mean", lr=1e-2, kl_beta=0.5, wd=0.1, clip=5.0),
        "grpo-seq-sum": dict(objective="grpo", aggregation="seq-sum", lr=3e-3, kl_beta=0.03, wd=0.0, clip=1.0),
        "grpo-token-mean": dict(objective="grpo", aggregation="token-mean", lr=1e-2, kl_beta=1.0, wd=0.0, clip=0.0),
        "dpo": dict(objective="dpo", aggregation="seq-mean", lr=1e-2, kl_beta=0.0, wd=0.01, clip=1.0, dpo_beta=2.0),
    }
    for name, run in runs.items():
        with torch.no_grad():
            sd = peft_model.state_dict()
            for k, v in start.items():
                sd[k].copy_(v)
        params = [p for n, p in peft_model.named_parameters() if "lora_" in n]
        opt = torch.optim.AdamW(params, lr=run["lr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=run["wd"],
                                foreach=False)
        metrics = []
        os.makedirs(f"{out}/{name}", exist_ok=True)
        for step, case in enumerate(all_cases, start=1):
            opt.zero_grad(set_to_none=True)
            loss, policy, kl = loss_of(peft_model, forward, case, run)
            loss.backward()
            norm = torch.sqrt(sum((p.grad.double() ** 2).sum() for p in params)).item()
            if run["clip"] > 0:
                torch.nn.utils.clip_grad_norm_(params, run["clip"])
            opt.step()
            metrics.append({"loss": loss.item(), "policy": policy.item(), "kl": kl.item(), "grad_norm": norm})
            if step in (1, 3):
                save_file(lora_state(peft_model), f"{out}/{name}/after{step}.safetensors", metadata={"format": "pt"})
                save_file(moments(peft_model, opt), f"{out}/{name}/moments{step}.safetensors",
                          metadata={"format": "pt"})
        json.dump({"settings": run, "steps": metrics}, open(f"{out}/{name}/metrics.json", "w"), indent=1)
    print("wrote", out)


if __name__ == "__main__":
    main()
