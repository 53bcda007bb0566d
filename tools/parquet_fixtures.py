#!/usr/bin/env python3
"""Writes the Parquet files the session-service's prompt reader is tested on, with pyarrow (what Hugging Face
datasets are written with), and the values pyarrow reads back from them.

    /work/venv/py/bin/python tools/parquet_fixtures.py      (pip install pyarrow into the dev venv first)

Output: session-service/src/test/resources/parquet/*.parquet and expected.json ({file: {column: [values]}}, null
for a missing value). Each file covers a way datasets are written: codecs (Snappy, zstd, gzip, none), dictionary and
PLAIN values (also a dictionary that falls back to PLAIN within a column chunk), data pages v1 and v2, several row
groups and pages, optional and required columns, nested columns next to text ones.
"""
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

OUT = Path(__file__).resolve().parent.parent / "session-service/src/test/resources/parquet"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    expected = {}

    def write(name, table, **options):
        pq.write_table(table, OUT / name, **options)
        back = pq.read_table(OUT / name)
        expected[name] = {c: back.column(c).to_pylist() for c in back.column_names
                          if pa.types.is_string(back.schema.field(c).type)}

    prompts = [f"Prompt {i}: tell me about the number {i}" for i in range(10)]
    prompts[3] = None
    prompts[7] = "¿Qué tal? 你好 🌍 — with a dash"
    prompts[8] = "   "
    write("snappy-dictionary-v1.parquet", pa.table({
        "id": pa.array(range(10), pa.int64()),
        "prompt": pa.array(prompts, pa.string()),
        "response": pa.array([None if i % 4 == 0 else f"answer {i % 3}" for i in range(10)], pa.string()),
    }), compression="snappy", row_group_size=4)

    schema = pa.schema([pa.field("instruction", pa.string(), nullable=False), pa.field("context", pa.string())])
    write("zstd-plain-v2.parquet", pa.table({
        "instruction": [f"Instruction {i} " + "ü" * (i % 5) for i in range(40)],
        "context": [None if i % 3 == 0 else f"context {i}" for i in range(40)],
    }, schema=schema), compression="zstd", use_dictionary=False, data_page_version="2.0", data_page_size=256)

    write("gzip-text.parquet", pa.table({"text": [f"line {i}" for i in range(6)]}), compression="gzip")

    write("uncompressed-dictionary-v2.parquet", pa.table({"question": ["same", "same", None, "other", "same"]}),
          compression="none", data_page_version="2.0")

    messages = pa.array([[{"role": "user", "content": f"hi {i}"}, {"role": "assistant", "content": "hello"}]
                         for i in range(5)],
                        pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())])))
    write("nested-chat.parquet", pa.table({
        "messages": messages,
        "question": pa.array([f"What is {i}?" if i != 2 else None for i in range(5)], pa.string()),
        "score": pa.array([0.5 * i for i in range(5)], pa.float64()),
    }), compression="snappy")

    # No usual prompt name: the longer column is the prompt. Many rows and small pages, and a dictionary limit that
    # makes the writer fall back to PLAIN part way through the column chunk.
    write("fallback-pages.parquet", pa.table({
        "label": [f"l{i % 3}" for i in range(300)],
        "body": [f"body text number {i} " + "xyz" * (i % 11) for i in range(300)],
    }), compression="snappy", data_page_size=512, dictionary_pagesize_limit=1024)

    (OUT / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n")
    for f in sorted(OUT.iterdir()):
        print(f.name, f.stat().st_size)


if __name__ == "__main__":
    main()
