#!/usr/bin/env bash
# Memory of `./espalier up`: starts it in a fresh home, plays one choice over REST (rollouts of version 0, the step,
# rollouts of version 1, so every process has loaded what it loads), then prints, in MiB, the resident set size
# (RSS) and the proportional set size (PSS: pages shared between processes, such as a model file both map, counted
# once in the sum) of the launcher JVM (Kafka, the PostgreSQL driver side) and of each service JVM, and their sums, as
# one JSON line; then stops the stack. PostgreSQL's own processes are left out: the same in every layout.
# The same script measures any checkout: ROOT is the repository whose ./espalier runs (its build must be current).
# usage: local-stack/bench/up-memory.sh ROOT PORT -- UP_ARGS...   e.g.  ... /work/main 19080 -- --demo
#                                                                        ... . 19080 -- --model /tmp/smollm2-shaped
set -euo pipefail
root="$(cd "$1" && pwd)"; port="$2"; shift 2; [ "${1:-}" = "--" ] && shift
api="http://127.0.0.1:$((port + 1))"
home="$(mktemp -d /tmp/espalier-mem-XXXXXX)"
log="$home/up.log"
pid=""
stop() { if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi; }
trap stop EXIT
field() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=(v or {}).get(k)
print(v)' "$1"; }

"$root/espalier" up --home "$home" --port "$port" "$@" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do grep -q "Espalier is up" "$log" && break; kill -0 "$pid" || { tail -30 "$log"; exit 1; }; sleep 1; done
grep -q "Espalier is up" "$log" || { tail -30 "$log"; echo "not up after 10 minutes" >&2; exit 1; }
model="$(sed -n 's/^  model *\([^ ]*\).*/\1/p' "$log" | tail -1)"
session=$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' -X POST "$api/sessions" -d "{
  \"model\": \"$model\", \"mode\": \"CHAT\", \"groupSize\": 4,
  \"prompts\": {\"kind\": \"TYPED\", \"typed\": [\"What colour is the sky?\", \"Name a fruit.\"]},
  \"sampling\": {\"maxNewTokens\": 16, \"seed\": 7}}" | sed -n 's#^[Ll]ocation: .*/sessions/\([0-9a-f-]*\).*#\1#p' | tr -d '\r')
await() {  # await POLICY_VERSION: rollouts of that version are shown
  for _ in $(seq 1 900); do
    [ "$(curl -fsS "$api/sessions/$session" | field rollouts.policyVersion)" = "$1" ] && return 0; sleep 1
  done
  echo "no rollouts of version $1" >&2; exit 1
}
await 0
curl -fsS -H 'Content-Type: application/json' -X POST "$api/sessions/$session/choice" -d '{"choice": 1}' >/dev/null
await 1
sleep 5  # let the heaps settle after the last answer
python3 - "$pid" "$(uptime)" <<'EOF'
import json, os, sys
launcher = int(sys.argv[1])
def rollup(pid, key):
    for line in open(f"/proc/{pid}/smaps_rollup"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024
def name(pid):
    cmd = open(f"/proc/{pid}/cmdline").read().split("\0")
    jar = next((c for c in cmd if c.endswith("quarkus-run.jar")), None)
    return jar.split("/")[-4] if jar else "launcher"
def children(pid):
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        for c in open(f"/proc/{pid}/task/{task}/children").read().split():
            found.append(int(c))
    return found
java = [launcher] + [c for c in children(launcher) if "quarkus-run.jar" in open(f"/proc/{c}/cmdline").read()]
out = {}
for key in ("Rss", "Pss"):
    for p in java:
        out[f"{name(p)}_{key.lower()}"] = rollup(p, key)
    out[f"total_{key.lower()}"] = sum(rollup(p, key) for p in java)
out["load"] = sys.argv[2].split("load average:")[-1].strip()
print(json.dumps(out))
EOF
