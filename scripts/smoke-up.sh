#!/usr/bin/env bash
# Smoke run of `./espalier up` as a new user would try it: start with --demo in a fresh home, wait for the UI and
# the REST API, create a session, see its rollouts arrive, choose one, stop, start again, and find the session where
# it was. Slow (two stack starts, several minutes on 2 cores), so not part of `./espalier test`.
# usage: scripts/smoke-up.sh [PORT]   (default 18080; the services take PORT+1 and PORT+2)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
port="${1:-18080}"
api="http://127.0.0.1:$((port + 1))"
home="$(mktemp -d /tmp/espalier-smoke-XXXXXX)"
runs=0
pid=""
say() { echo "smoke: $*"; }
stop_stack() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"; wait "$pid" || true
  fi
  pid=""
}
trap 'stop_stack' EXIT

start_stack() {
  runs=$((runs + 1))
  log="$home/up-$runs.log"
  say "starting ./espalier up --demo --home $home --port $port"
  "$root/espalier" up --demo --home "$home" --port "$port" >>"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 360); do
    if grep -q "Espalier is up" "$log"; then break; fi
    kill -0 "$pid" 2>/dev/null || { tail -40 "$log"; say "FAILED: up exited"; exit 1; }
    sleep 1
  done
  grep -q "Espalier is up" "$log" || { tail -40 "$log"; say "FAILED: not up after 6 minutes"; exit 1; }
  curl -fsS -o /dev/null "http://127.0.0.1:$port/" && say "UI answers on http://localhost:$port"
}

# Prints the session's field: json FIELD (a jq-free reader for a flat path like .phase).
json() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[k] if k else v
print(json.dumps(v) if isinstance(v,(dict,list)) else v)' "$1"; }

await_rollouts() {
  for _ in $(seq 1 180); do
    n=$(curl -fsS "$api/sessions/$1" | python3 -c 'import json,sys; r=json.load(sys.stdin).get("rollouts")
print(len(r["rollouts"]) if r and r["policyVersion"] == int(sys.argv[1]) else 0)' "$2")
    [ "$n" -gt 0 ] && { say "rollouts of policy version $2 arrived: $n"; return 0; }
    sleep 1
  done
  say "FAILED: no rollouts"; exit 1
}

start_stack
model="$(sed -n 's/^  model *\([^ ]*\).*/\1/p' "$log" | tail -1)"
session=$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' -X POST "$api/sessions" -d "{
  \"model\": \"$model\", \"mode\": \"CHAT\", \"groupSize\": 4,
  \"prompts\": {\"kind\": \"TYPED\", \"typed\": [\"What colour is the sky?\", \"Name a fruit.\", \"Say hi.\"]},
  \"sampling\": {\"maxNewTokens\": 8, \"seed\": 7}}" | sed -n 's#^[Ll]ocation: .*/sessions/\([0-9a-f-]*\).*#\1#p' | tr -d '\r')
say "created session $session"
refused=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -X POST "$api/sessions" -d '{
  "model": "org/not-the-served-model", "prompts": {"kind": "TYPED", "typed": ["x"]}}')
[ "$refused" = "400" ] || { say "FAILED: a session naming another model got $refused, not 400"; exit 1; }
say "a session naming another model is refused: $refused"
await_rollouts "$session" 0
curl -fsS -H 'Content-Type: application/json' -X POST "$api/sessions/$session/choice" -d '{"choice": 1}' >/dev/null
say "chose rollout 1"
for _ in $(seq 1 120); do
  v=$(curl -fsS "$api/sessions/$session" | json policyVersion)
  [ "$v" = "1" ] && break; sleep 1
done
say "policy version after the choice: $v"
await_rollouts "$session" 1
before=$(curl -fsS "$api/sessions/$session/events" | wc -l)
say "events stored: $before"

say "stopping"; stop_stack
start_stack
after=$(curl -fsS "$api/sessions/$session/events" | wc -l)
view=$(curl -fsS "$api/sessions/$session")
say "after restart: events $after, phase $(echo "$view" | json phase), policy version $(echo "$view" | json policyVersion)"
[ "$after" -ge "$before" ] || { say "FAILED: events lost"; exit 1; }
curl -fsS "$api/sessions" | python3 -c 'import json,sys; ids=[s.get("id") or s.get("sessionId") for s in json.load(sys.stdin)]; sys.exit(0 if sys.argv[1] in ids else 1)' "$session"
say "session $session listed after the restart"
await_rollouts "$session" 1
curl -fsS -H 'Content-Type: application/json' -X POST "$api/sessions/$session/choice" -d '{"choice": 0}' >/dev/null
for _ in $(seq 1 120); do
  v=$(curl -fsS "$api/sessions/$session" | json policyVersion)
  [ "$v" = "2" ] && break; sleep 1
done
[ "$v" = "2" ] || { say "FAILED: the trainer did not step after the restart"; exit 1; }
say "chose rollout 0 after the restart: policy version $v"
await_rollouts "$session" 2
say "OK (home $home, logs $home/up-*.log and $home/logs)"
