#!/usr/bin/env bash
# A pupil's card read end to end, as a school workstation makes it: keep-alive mTLS to the
# gateway, the staff session check (bound to the certificate), the call through the vault's door,
# the policy decision, the consent check, the audit append and the decryption, one transaction.
#
# Usage (from the repository root; one command, everything in a throwaway directory):
#
#     scripts/bench/card-read.sh                  # builds release bilet, 200,000 reads, 50 clients, 3 runs
#     N=50000 C=50 RUNS=1 SKIP_BUILD=1 scripts/bench/card-read.sh
#     PERF=1 scripts/bench/card-read.sh           # also records the whole machine with perf for PERF_SECONDS (perf.data kept in the run directory)
#
# It starts a throwaway platform with scripts/lib/throwaway-platform.sh (the dev PKI, bilet's private
# PostgreSQL migrated, `bilet serve`, the vault initialised), adds a school
# account, signs in, records the staff consent, registers PUPILS synthetic pupils, then runs
# `ab -k -c C -n N -E <workstation bundle> -H "Authorization: Bearer …"` against
# GET /v1/pupils/<token>?purpose=enrolment (a different registered pupil each run) and prints
# req/s, the ab percentile table's p50/p90/p99/max and the CPU per read of bilet's processes and of
# PostgreSQL; each card run is followed by a `/v1/whoami` run on the same listener with the same
# clients, the per-request cost the card read is compared with (issue 13: within 2× of it, the
# database's CPU counted apart).
# The client runs on the same machine: on 2 cores it takes a share of the CPU the server would have.
set -euo pipefail

N=${N:-200000}
C=${C:-50}
RUNS=${RUNS:-3}
PUPILS=${PUPILS:-200}
WARMUP=${WARMUP:-5000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BILET=${BILET:-$ROOT/.build/release/bilet}

if [[ -z ${SKIP_BUILD:-} ]]; then
    (cd "$ROOT" && swift build -c release --product bilet)
fi
command -v ab >/dev/null || { echo "ab (apache2-utils) is needed" >&2; exit 1; }

# A throwaway platform (dev PKI, private PostgreSQL, migrations, `bilet serve`, the vault initialised),
# the same one the contract and browser tests run against.
bilet=$BILET
[[ -n ${PERF:-} || -n ${KEEP:-} ]] && export CARDREAD_KEEP=1   # perf.data stays in the run directory
source "$ROOT/scripts/lib/throwaway-platform.sh"
platform_start cardread
DIR=$run SERVE_PID=$serve_pid PORT=$workstations CERTS=$run/certs

printf 'synthetic pass phrase 1\n' | "$BILET" accounts add --login bench.school --role school \
    --organisation bilet://school/77-0001 --region 77 --password-stdin >/dev/null

CLIENT=(--cacert "$CERTS/gateway/ca-bundle.pem" --cert "$CERTS/clients/workstation.pem" --key "$CERTS/clients/workstation.key")
URL=https://127.0.0.1:$PORT
TOKEN=$(curl -sS "${CLIENT[@]}" -X POST -H 'Content-Type: application/json' \
    --data-binary '{"login":"bench.school","password":"synthetic pass phrase 1"}' "$URL/v1/sessions" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
AUTH="Authorization: Bearer $TOKEN"
curl -sS -o /dev/null "${CLIENT[@]}" -X POST -H "$AUTH" -H 'Content-Type: application/json' \
    --data-binary '{"version":"staff-pd-2026-1"}' "$URL/v1/staff/me/consent"

# Synthetic pupils (invented names, valid-looking but made-up values), one registration each.
: >"$DIR/tokens"
for i in $(seq 1 "$PUPILS"); do
    # a distinct birth date each (name + birth date is what makes a duplicate)
    birth=$(printf '%04d-%02d-%02d' $(( 2008 + i / 336 )) $(( (i / 28) % 12 + 1 )) $(( i % 28 + 1 )))
    curl -sS "${CLIENT[@]}" -X POST -H "$AUTH" -H 'Content-Type: application/json' --data-binary \
        "{\"pupil\":{\"surname\":\"Тестова\",\"first_name\":\"Анна\",\"birth_date\":\"$birth\",\"grade\":\"9\",\"class\":\"Б\",\"email\":\"pupil$i@example.invalid\"},
          \"guardian\":{\"surname\":\"Тестова\",\"first_name\":\"Мария\",\"relation\":\"mother\",\"phone\":\"+7 900 000-00-01\"},
          \"consent\":{\"number\":\"$i/2025\",\"signed_on\":\"2025-09-01\",\"pupil_signed\":true}}" "$URL/v1/pupils" |
        python3 -c 'import json,sys; text=sys.stdin.read(); print(json.loads(text).get("token") or sys.exit("registration refused: " + text))' >>"$DIR/tokens"
done
mapfile -t TOKENS <"$DIR/tokens"
FIRST=$(curl -sS "${CLIENT[@]}" -H "$AUTH" "$URL/v1/pupils/${TOKENS[0]}?purpose=enrolment")
echo "$FIRST" | grep -q '"surname":"Тестова"' || { echo "the card read does not answer: $FIRST" >&2; exit 1; }

cat "$CERTS/clients/workstation.pem" "$CERTS/clients/workstation.key" >"$DIR/client-bundle.pem"
ab_run() { # requests, path
    ab -q -l -k -n "$1" -c "$C" -E "$DIR/client-bundle.pem" -H "$AUTH" "$URL$2"
}
card() { echo "/v1/pupils/$1?purpose=enrolment"; }
# CPU ticks of serve and every process under it (the vault and gateway processes), then of the
# private PostgreSQL: `pg_ctl start` leaves its postmaster orphaned (its parent is no longer serve),
# so it is found by its data directory on its command line. Prints "bilet_ticks postgres_ticks".
cpu_ticks() {
    python3 - "$SERVE_PID" "$DIR/pg/data" <<'PY'
import os, sys
children, ticks, postgres = {}, {}, []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        command = open(f"/proc/{pid}/cmdline", "rb").read()
    except OSError:
        continue
    children.setdefault(fields[1], []).append(pid)
    ticks[pid] = int(fields[11]) + int(fields[12])
    if sys.argv[2].encode() in command:
        postgres.append(pid)
def tree(roots, seen):
    total, todo = 0, list(roots)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += ticks.get(pid, 0)
        todo += children.get(pid, [])
    return total
seen = set()
database = tree(postgres, seen)   # first, so serve's tree never counts a backend twice
print(tree([sys.argv[1]], seen), database)
PY
}
value() { awk -v key="$1" 'index($0, key) == 1 { sub(key, ""); print $1; exit }'; }

echo "warm-up: $WARMUP reads"
ab_run "$WARMUP" "$(card "${TOKENS[1]}")" >/dev/null
ab_run "$WARMUP" /v1/whoami >/dev/null
[[ -n ${PERF:-} ]] && { perf record -F 499 -a -g -o "$DIR/perf.data" -- sleep ${PERF_SECONDS:-15} >/dev/null 2>&1 & PERF_PID=$!; }

HZ=$(getconf CLK_TCK)
REFUSED=0
# One measured ab run of $1 requests on path $2: prints its row; bilet_us and pg_us are the CPU of
# bilet's processes and of PostgreSQL per request.
measure() {
    local before after output complete failed non2xx rps p50 p90 p99 max
    before=$(cpu_ticks)
    output=$(ab_run "$1" "$2")
    after=$(cpu_ticks)
    complete=$(echo "$output" | value "Complete requests:")
    failed=$(echo "$output" | value "Failed requests:")
    non2xx=$(echo "$output" | value "Non-2xx responses:")
    rps=$(echo "$output" | value "Requests per second:")
    p50=$(echo "$output" | value "  50%")
    p90=$(echo "$output" | value "  90%")
    p99=$(echo "$output" | value "  99%")
    max=$(echo "$output" | value " 100%")
    read -r bilet_before pg_before <<<"$before"
    read -r bilet_after pg_after <<<"$after"
    per() { awk -v t="$1" -v hz="$HZ" -v n="$complete" 'BEGIN { printf "%.0f", t / hz * 1e6 / n }'; }
    printf '%-8s %10s %9s %9s %9s %9s %9s %9s %s\n' "$3" "$rps" "$p50" "$p90" "$p99" "$max" \
        "$(per $(( bilet_after - bilet_before )))" "$(per $(( pg_after - pg_before )))" \
        "complete=$complete failed=${failed:-0} non2xx=${non2xx:-0}"
    [[ ${failed:-0} == 0 && ${non2xx:-0} == 0 ]] || REFUSED=1
}
printf '%-8s %10s %9s %9s %9s %9s %9s %9s %s\n' run req/s p50_ms p90_ms p99_ms max_ms bilet_us pg_us note
for run in $(seq 1 "$RUNS"); do
    measure "$N" "$(card "${TOKENS[$(( (run + 1) % ${#TOKENS[@]} ))]}")" "card-$run"
    # the same listener, certificate, session header and clients: what the card read is compared with
    measure "$N" /v1/whoami "whoami-$run"
done
if [[ -n ${PERF:-} ]]; then kill -INT "$PERF_PID"; wait "$PERF_PID" 2>/dev/null || true; echo "perf report -i $DIR/perf.data"; fi
# A run with failed or refused reads measured something else than card reads (an expired session,
# 403s): its numbers are not the card read's.
[[ $REFUSED == 0 ]] || { echo "some reads failed or were refused (see the note column): not a card-read measurement" >&2; exit 1; }
