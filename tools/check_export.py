#!/usr/bin/env python3
"""Dev-time check that what Espalier writes loads in the Python stack with the same numbers.

1. The adapter DIR (written by `espalier step`) loads in peft on the base model; its logits are compared with the
   logits `espalier score --adapter DIR` printed (--java-score FILE, the JSON line of that command).
2. The merged model DIR (written by `espalier merge`) loads in transformers; its logits are compared with
   base + adapter through peft.
Prints one JSON line of max relative differences (max |a-b| / max |b|); DESIGN asks for <= 1e-4.

Usage: python tools/check_export.py --model BASE --adapter ADAPTER --merged MERGED --ids 1,2,3 --java-score score.json
"""
import argparse
import json

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM


def rel(a, b):
    return ((a - b).abs().max() / b.abs().max()).item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--adapter", required=True)
    ap.add_argument("--merged", required=True)
    ap.add_argument("--ids", required=True)
    ap.add_argument("--java-score", required=True)
    args = ap.parse_args()
    ids = torch.tensor([[int(i) for i in args.ids.split(",")]])
    base = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32)
    peft_model = PeftModel.from_pretrained(base, args.adapter)
    merged = AutoModelForCausalLM.from_pretrained(args.merged, dtype=torch.float32)
    with torch.no_grad():
        peft_logits = peft_model(input_ids=ids).logits[0]
        merged_logits = merged(input_ids=ids).logits[0]
        with peft_model.disable_adapter():
            base_logits = peft_model(input_ids=ids).logits[0]
    java = json.load(open(args.java_score))
    java_last = torch.tensor(java["last_logits"])
    print(json.dumps({
        "java_adapter_vs_peft_last_logits": rel(java_last, peft_logits[-1]),
        "merged_vs_peft_logits": rel(merged_logits, peft_logits),
        "adapter_effect_vs_base": rel(peft_logits, base_logits),
    }))


if __name__ == "__main__":
    main()
