# Sourced, not run: a real `bilet serve` on a throwaway development platform, for the test runners
# that drive it from outside (scripts/contract-test, scripts/browser-test).
#
# `platform_start LABEL` makes a temporary directory (a development PKI from `bilet certs dev-setup`, a
# private PostgreSQL, a vault key), writes the configuration (listeners on port 0), applies the
# migrations, starts `bilet serve`, waits for `bilet is ready`, reads the ports the listeners bound
# from its log and initialises (unseals) the vault,
# so staff sign-ins work. It sets, for the caller:
#   run           the temporary directory
#   gateway       its gateway material (server certificates, ca-bundle.pem, crl.pem)
#   clients       its client certificates (workstation.pem/.key of school 77-0001, …)
#   workstations, gost, pupils   the listeners' ports (client certificate required, GOST, none)
#   BILET_CONFIG  (exported) the configuration every `bilet` command of the caller reads
# and installs an EXIT trap that stops `bilet serve`, runs the caller's `platform_cleanup` function if
# it defines one, shows the end of the serve log when the run failed, and removes the directory
# (unless `${LABEL}_KEEP=1`, e.g. CONTRACT_KEEP=1).
#
# Needs `bilet` (the built binary's path) set before the call; it builds nothing.
# PLATFORM_GATEWAY_EXTRA: more members of the configuration's `gateway` object (a JSON fragment that
# starts with a comma), e.g. raised rate limits.

platform_start() {
  local label="$1"
  [ -x "${bilet:-}" ] || { echo "bilet: no built bilet at '${bilet:-}' (swift build --product bilet)" >&2; exit 1; }
  platform_label="$label"
  run="$(mktemp -d "${TMPDIR:-/tmp}/bilet-$label-XXXXXX")"
  chmod 755 "$run"  # the private cluster runs as bilet-postgres, which must reach its directory
  serve_pid=""
  trap platform_finish EXIT

  export BILET_DATABASE_LOCAL_DIRECTORY="$run/pg"
  export BILET_AUDIT_CHECKPOINT_DIRECTORY="$run/checkpoints"
  export BILET_LOG_FORMAT=json
  local config="$run/bilet.json"

  "$bilet" certs dev-setup --directory "$run/certs" >/dev/null
  gateway="$run/certs/gateway"
  clients="$run/certs/clients"
  cat >"$config" <<JSON
{"gateway": {"listeners": "workstations@127.0.0.1:0/required,gost@127.0.0.1:0/required/gost,pupils@127.0.0.1:0/none",
             "certificate": "$gateway/server.pem", "private_key": "$gateway/server.key",
             "gost_certificate": "$gateway/gost-server.pem", "gost_private_key": "$gateway/gost-server.key",
             "client_ca_bundle": "$gateway/ca-bundle.pem", "crl": "$gateway/crl.pem"${PLATFORM_GATEWAY_EXTRA:-}},
 "vault": {"control_socket": "$run/vault/control.sock"},
 "ca": {"directory": "$run/certs/ca", "issuing_passphrase_file": "$run/certs/ca/issuing.passphrase"}}
JSON
  export BILET_CONFIG="$config"
  "$bilet" db migrate >/dev/null

  "$bilet" serve >"$run/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 360); do
    grep -q '"bilet is ready"' "$run/serve.log" 2>/dev/null && break
    kill -0 "$serve_pid" 2>/dev/null || { echo "bilet: bilet serve stopped before it was ready" >&2; exit 1; }
    sleep 0.5
  done
  grep -q '"bilet is ready"' "$run/serve.log" || { echo "bilet: bilet serve was not ready in 180 s" >&2; exit 1; }
  # The listeners bound port 0 (no window in which another process could take a port picked
  # beforehand); each logged the port it got.
  read -r workstations gost pupils < <(python3 - "$run/serve.log" <<'PY'
import json, sys
ports = {}
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        record = json.loads(line)
    except ValueError:
        continue
    if record.get("message") == "gateway listening":
        ports[record.get("tls.listener")] = record.get("port")
print(ports["workstations"], ports["gost"], ports["pupils"])
PY
)

  # The vault must be unsealed: staff logins are audited under its keyed hash.
  "$bilet" vault keygen "$run/master.key" >/dev/null
  "$bilet" vault init --socket "$run/vault/control.sock" --key-file "$run/master.key" >/dev/null
}

platform_finish() {
  local status=$?
  if [ -n "${serve_pid:-}" ] && kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
  fi
  if declare -F platform_cleanup >/dev/null; then platform_cleanup || true; fi
  if [ "$status" -ne 0 ]; then
    echo "bilet: the $platform_label run failed; the last lines of bilet serve's log:" >&2
    tail -n 40 "$run/serve.log" >&2 2>/dev/null || true
  fi
  local keep="${platform_label^^}_KEEP"
  if [ "${!keep:-0}" = 1 ]; then echo "bilet: kept $run" >&2; else rm -rf "$run"; fi
  exit "$status"
}
