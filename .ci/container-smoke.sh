#!/usr/bin/env bash
# Container smoke test: build the Action's image from a static musl binary and run it the way
# the GitHub runner runs a container action, against the Genesys Cloud sandbox.
#
# The runner's side is .ci/gha_runner.py (self-tested first by .ci/test_gha_runner.py against
# the runner's own test cases): the environment built from empty (INPUT_* for every declared
# input with its default, GITHUB_*, RUNNER_*, ACTIONS_RUNTIME_*, HOME), every value translated
# from host to container paths, the runner's mounts and flags, stdout and stderr parsed as
# workflow commands, the file commands parsed afterwards with the runner's error cases, and
# cancellation as the runner does it (SIGINT, SIGTERM 7.5 s later, a kill 2.5 s after that).
#
# Runs:
#   publish   host network; image named tag@digest (as a release's action.yml names it);
#             smoke-test and audit-log given as the workflow would; asserts exit 0,
#             status=published, push used, summary naming the bot, no secret anywhere.
#   paths     dry runs giving audit-log / smoke-test as relative and as host paths: what the
#             runner's translation makes of them, and what the Action must do with them.
#   cancel    a publish that never finishes, cancelled after it started: the Action ends by
#             itself (no SIGTERM needed) with status cancelled, outputs and summary written;
#             once with the decision read answering, once with it hanging (the grace bounds it).
#   bridge    the container on podman's bridge network, the sandbox behind a socat/openssl TLS
#             proxy and started with --public-url, as ci.yml's "uses ./" job: push must work.
#
# Works on a fresh Debian/Ubuntu machine as root with Rust and python3 (installs musl-tools,
# podman, runc, socat and openssl when missing). No base image is pulled: the image is FROM
# scratch. Knobs (all optional):
#   SMOKE_ACTION_BIN   use this prebuilt static binary instead of building one
#   SMOKE_SANDBOX_BIN  use this prebuilt sandbox binary instead of `cargo build -p genesys-sandbox`
#   SMOKE_BRIDGE=0     skip the bridge-network run (say so: it is what ci.yml's action job does)
#   SMOKE_KEEP=1       keep the temporary directory for inspection
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

TARGET=x86_64-unknown-linux-musl
IMAGE=localhost/genesys-bot-deploy:smoke
MAX_IMAGE_BYTES=$((15 * 1024 * 1024))
PODMAN_GLOBAL=(--runtime runc --storage-driver vfs --cgroup-manager cgroupfs)
# The sandbox's built-in demo scenario (sandbox/src/scenario/demo.rs): its client, and
# "Billing Assistant" with 1.0 published and 2.0 checked in and publishable.
DEMO_CLIENT_ID=c0ffee00-5a4d-4b0c-9e11-5a4db0c9e110
DEMO_CLIENT_SECRET=sandbox-demo-secret
DEMO_BOT_ID=b1111111-3c4d-4e5f-8a6b-0000000000b1

step() { printf '==> %s\n' "$*"; }
fail() { printf '::error title=container smoke test::%s\n' "$*" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gbd-smoke.XXXXXX")
PIDS=()
cleanup() {
    local rc=$? pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ "${SMOKE_KEEP:-0}" == 1 ]]; then
        echo "==> kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

apt_install() {
    # apt_install <command> <package>...: install the packages when the command is missing.
    local cmd=$1; shift
    if ! command -v "$cmd" >/dev/null 2>&1; then
        step "installing $* (apt-get)"
        local sudo=()
        [[ $(id -u) -eq 0 ]] || sudo=(sudo)
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    fi
}

# ---------------------------------------------------------------------------------------
step "tools"
apt_install musl-gcc musl-tools
apt_install podman podman
apt_install runc runc
apt_install socat socat
apt_install openssl openssl
apt_install python3 python3
podman --version
runc --version | head -n 1
python3 --version

step "the runner emulation against the runner's own test cases (.ci/test_gha_runner.py)"
python3 "$ROOT/.ci/test_gha_runner.py"

# The default OCI runtime (crun) and the default ulimits fail in this kind of sandboxed
# machine (setrlimit: Operation not permitted); runc with no default ulimits works.
printf '[containers]\ndefault_ulimits = []\n' > "$WORK/containers.conf"
export CONTAINERS_CONF="$WORK/containers.conf"
pm() { podman "${PODMAN_GLOBAL[@]}" "$@"; }

# ---------------------------------------------------------------------------------------
if [[ -n "${SMOKE_ACTION_BIN:-}" ]]; then
    step "using prebuilt action binary $SMOKE_ACTION_BIN"
    ACTION_BIN=$SMOKE_ACTION_BIN
else
    step "rustup target add $TARGET"
    rustup target add "$TARGET"
    step "cargo build --release --locked --target $TARGET -p genesys-bot-deploy"
    # cc-rs falls back to musl-gcc on its own; being explicit keeps the build reproducible.
    CC_x86_64_unknown_linux_musl=musl-gcc \
        cargo build --release --locked --target "$TARGET" -p genesys-bot-deploy
    ACTION_BIN="$(cargo metadata --format-version 1 --no-deps \
        | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/$TARGET/release/genesys-bot-deploy"
fi
[[ -x "$ACTION_BIN" ]] || fail "no executable at $ACTION_BIN"
if command -v file >/dev/null 2>&1; then file "$ACTION_BIN"; fi
# A static binary has no program interpreter (PT_INTERP); a dynamic one cannot run on scratch.
# (readelf comes with binutils, which musl-tools pulls in through gcc.)
if command -v readelf >/dev/null 2>&1 && readelf -l "$ACTION_BIN" | grep -q 'program interpreter'; then
    fail "$ACTION_BIN is dynamically linked; the image is FROM scratch"
fi

# ---------------------------------------------------------------------------------------
step "podman build (FROM scratch, .ci/Containerfile.smoke)"
mkdir -p "$WORK/context"
cp "$ACTION_BIN" "$WORK/context/genesys-bot-deploy"
pm rmi --force --ignore "$IMAGE" >/dev/null
pm build --quiet -f "$ROOT/.ci/Containerfile.smoke" -t "$IMAGE" "$WORK/context"
SIZE=$(pm image inspect --format '{{.Size}}' "$IMAGE")
printf '==> image size: %s bytes (%s KiB), limit %s bytes (15 MiB)\n' "$SIZE" "$((SIZE / 1024))" "$MAX_IMAGE_BYTES"
((SIZE <= MAX_IMAGE_BYTES)) || fail "image is $SIZE bytes, more than 15 MiB"
ENTRYPOINT=$(pm image inspect --format '{{json .Config.Entrypoint}}' "$IMAGE")
[[ "$ENTRYPOINT" == '["/genesys-bot-deploy"]' ]] || fail "unexpected entrypoint $ENTRYPOINT"
# A release's action.yml names the image as tag@digest (release.yml); the runner pulls and
# runs that string as is. Use the same form here, and check a wrong digest is refused.
DIGEST=$(pm image inspect --format '{{.Digest}}' "$IMAGE")
[[ "$DIGEST" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "unexpected image digest '$DIGEST'"
PINNED="$IMAGE@$DIGEST"
pm image exists "$PINNED" || fail "podman does not resolve $PINNED"
if pm image exists "$IMAGE@sha256:$(printf '0%.0s' $(seq 1 64))"; then
    fail "podman resolved $IMAGE with a digest that is not its own"
fi
echo "==> image reference for the runs: $PINNED"

# ---------------------------------------------------------------------------------------
step "sandboxes"
if [[ -n "${SMOKE_SANDBOX_BIN:-}" ]]; then
    SANDBOX_BIN=$SMOKE_SANDBOX_BIN
else
    cargo build --locked -p genesys-sandbox
    SANDBOX_BIN="$(cargo metadata --format-version 1 --no-deps \
        | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/debug/genesys-sandbox"
fi
[[ -x "$SANDBOX_BIN" ]] || fail "no sandbox binary at $SANDBOX_BIN"

# Scenarios derived from the built-in one: the demo bot's checked-in version never finishes
# publishing ("never"), and also every read of a flow after the first two hangs ("hang").
"$SANDBOX_BIN" --print-default-scenario >"$WORK/default.json"
python3 - "$WORK" "$DEMO_BOT_ID" <<'PY'
import json, sys
work, bot_id = sys.argv[1], sys.argv[2]
scenario = json.load(open(f"{work}/default.json"))
bot = next(f for f in scenario["flows"] if f["id"] == bot_id)
next(v for v in bot["versions"] if v["id"] == bot["checked_in_version"])["publish"] = "never_finishes"
json.dump(scenario, open(f"{work}/never.json", "w"))
scenario.setdefault("faults", []).append(
    {"kind": "slow", "delay_ms": 120000, "route": "GET /api/v2/flows/*", "after_nth": 2})
json.dump(scenario, open(f"{work}/hang.json", "w"))
PY

# start_sandbox <name> [sandbox args...]: starts a sandbox on a free loopback port, waits for
# its api-url= line (bounded), and sets SB_URL. Same as `cargo run -p genesys-sandbox -- ...`.
start_sandbox() {
    local name=$1; shift
    "$SANDBOX_BIN" --port 0 "$@" >"$WORK/sandbox-$name.out" 2>"$WORK/sandbox-$name.err" &
    local pid=$!
    PIDS+=("$pid")
    SB_URL=""
    for _ in $(seq 1 300); do
        SB_URL=$(sed -n 's/^api-url=//p' "$WORK/sandbox-$name.out" | head -n 1)
        [[ -n "$SB_URL" ]] && break
        kill -0 "$pid" 2>/dev/null || { cat "$WORK/sandbox-$name.err" >&2; fail "sandbox $name exited before printing api-url="; }
        sleep 0.1
    done
    [[ -n "$SB_URL" ]] || fail "sandbox $name printed no api-url= line within 30 s"
    echo "==> sandbox $name (pid $pid): $SB_URL"
}
start_sandbox main; MAIN_URL=$SB_URL
start_sandbox never --scenario "$WORK/never.json"; NEVER_URL=$SB_URL
start_sandbox hang --scenario "$WORK/hang.json"; HANG_URL=$SB_URL

# ---------------------------------------------------------------------------------------
# run_action <name> <harness args...>: one container step; its files are in $WORK/<name>/.
RUNS=()
run_action() {
    local name=$1; shift
    mkdir -p "$WORK/$name"
    [[ -d "$WORK/$name/workspace" ]] || mkdir -p "$WORK/$name/workspace"
    step "run '$name'"
    python3 "$ROOT/.ci/gha_runner.py" run --image "$PINNED" --action "$ROOT/action.yml" \
        --root "$WORK/$name/runner" --workspace "$WORK/$name/workspace" --out "$WORK/$name/out" \
        "${PODMAN_GLOBAL[@]/#/--podman-global=}" \
        --with "client-id=$DEMO_CLIENT_ID" --with "client-secret=$DEMO_CLIENT_SECRET" \
        --with "bot-id=$DEMO_BOT_ID" --with environment=smoke \
        --with poll-interval-seconds=0.2 --with poll-max-interval-seconds=1 \
        "$@"
    RUNS+=("$name")
}
get() { python3 "$ROOT/.ci/gha_runner.py" get "$WORK/$1/out/result.json" "$2"; }
output() { get "$1" "outputs.$2"; }
env_of() { get "$1" "container_env.INPUT_$2"; }
host_of() { get "$1" "host.$2"; }
requests_of() { output "$1" api-requests; }
# The metrics line (the audit trail's last) of a run's audit file, one field of its details.
metric() {
    python3 - "$1" "$2" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
metrics = [l for l in lines if l.get("event") == "metrics"]
print(metrics[-1]["details"].get(sys.argv[2], "") if metrics else "")
PY
}

ERRORS=0
# check <description> <command>...: run the command, count a failure instead of exiting.
check() {
    local what=$1; shift
    if "$@"; then echo "    ok: $what"; else echo "    FAILED: $what" >&2; ERRORS=$((ERRORS + 1)); fi
}
# The `::add-mask::` line is the one place the secret may appear: it is how the runner learns
# to hide it. No other line of any stream or file may carry it.
absent() { [[ ! -e "$2" ]] || ! grep -vF -- '::add-mask::' "$2" | grep -qF -- "$1"; }
masked_first() {
    # The mask comes before any other line of stdout.
    [[ "$(grep -m1 -n -- '' "$1" | cut -d: -f1)" == "$(grep -m1 -nxF -- "::add-mask::$2" "$1" | cut -d: -f1)" ]]
}
leaks() {
    # leaks <secret> <file>...: prints the files that carry the secret outside a mask line.
    local secret=$1 f; shift
    for f in "$@"; do absent "$secret" "$f" || printf ' %s' "$(basename "$f")"; done
}
no_secret_anywhere() {
    # stdout, stderr, the summary as the runner uploads it, every file-command file, and the
    # files given as further arguments.
    local run=$1 found
    found=$(leaks "$DEMO_CLIENT_SECRET" "$WORK/$run/out/stdout" "$WORK/$run/out/stderr" \
        "$WORK/$run/out/summary.md" "$(host_of "$run" file_commands)"/* "${@:2}")
    check "[$run] the client secret is nowhere (stdout, stderr, summary, file commands, audit log)${found:+; found in$found}" \
        test -z "$found"
}
runner_accepts() {
    # What the runner would have failed the step for, whatever the exit code.
    local run=$1
    check "[$run] file commands parse as the runner parses them" test "$(get "$run" file_command_errors)" = "[]"
    check "[$run] no workflow command the runner refuses" test "$(get "$run" command_failed)" = "false"
    check "[$run] only expected workflow commands" python3 - "$WORK/$run/out/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
allowed = {"add-mask", "notice", "warning", "error", "group", "endgroup", "debug"}
bad = [c["command"] for c in r["commands"] if c["command"] not in allowed]
sys.exit(f"unexpected commands {bad}" if bad else 0)
PY
    check "[$run] the runtime token never printed" test "$(get "$run" runtime_token_leaked)" = "false"
    check "[$run] no 'Unexpected input' warning" test "$(get "$run" warnings)" = "[]"
}

# ---------------------------------------------------------------------------------------
# publish: what a workflow's deploy step does. The smoke-test file is a path in the checkout;
# the audit log is given as ${{ github.workspace }}/audit/publish.jsonl ({workspace}), a host
# path the runner translates to /github/workspace/audit/publish.jsonl.
mkdir -p "$WORK/publish/workspace/bots/billing"
cp "$ROOT/examples/smoke/billing.yml" "$WORK/publish/workspace/bots/billing/smoke-test.yml"
run_action publish --network host \
    --with "api-url=$MAIN_URL" --with "login-url=$MAIN_URL" --with timeout-seconds=60 \
    --with smoke-test=bots/billing/smoke-test.yml --with 'audit-log={workspace}/audit/publish.jsonl'
AUDIT="$WORK/publish/workspace/audit/publish.jsonl"
echo "    outputs: $(get publish outputs)"
check "[publish] exit code 0" test "$(get publish exit_code)" = 0
check "[publish] the runner's verdict is success" test "$(get publish result)" = success
check "[publish] output status is published" test "$(output publish status)" = published
check "[publish] output deployment-id is set" test -n "$(output publish deployment-id)"
check "[publish] output published-version = target-version" test "$(output publish published-version)" = "$(output publish target-version)"
check "[publish] step summary is non-empty" test -s "$WORK/publish/out/summary.md"
check "[publish] step summary mentions the bot $DEMO_BOT_ID" grep -qF -- "$DEMO_BOT_ID" "$WORK/publish/out/summary.md"
check "[publish] step summary is at most 1 MiB" test "$(get publish summary_bytes)" -le 1048576
check "[publish] the client secret is masked first thing" masked_first "$WORK/publish/out/stdout" "$DEMO_CLIENT_SECRET"
check "[publish] audit log written through the translated host path" test -s "$AUDIT"
check "[publish] the smoke test ran and passed" grep -q '"event":"smoke_test_passed"' "$AUDIT"
check "[publish] the wait was decided by push" test "$(metric "$AUDIT" decided_by)" = push
no_secret_anywhere publish "$AUDIT"
runner_accepts publish

# ---------------------------------------------------------------------------------------
# paths: where the runner puts a path given to audit-log / smoke-test (ContainerActionHandler
# translates every environment value, INPUT_* included, that equals or starts with a mounted
# host directory + '/'; nothing else), and what the Action makes of it. Dry runs: no publish.
paths_run() {
    local name=$1; shift
    mkdir -p "$WORK/$name/workspace/bots"
    cp "$ROOT/examples/smoke/billing.yml" "$WORK/$name/workspace/bots/smoke.yml"
    run_action "$name" --network host --with "api-url=$MAIN_URL" --with "login-url=$MAIN_URL" \
        --with dry-run=true "$@"
}

paths_run paths-relative --with audit-log=audit/dry.jsonl --with smoke-test=bots/smoke.yml
check "[paths-relative] a relative path is passed as is" test "$(env_of paths-relative AUDIT-LOG)" = audit/dry.jsonl
check "[paths-relative] exit code 0" test "$(get paths-relative exit_code)" = 0
check "[paths-relative] the audit log lands in the checkout" test -s "$WORK/paths-relative/workspace/audit/dry.jsonl"
check "[paths-relative] output audit-log names it for later steps" test "$(output paths-relative audit-log)" = audit/dry.jsonl

paths_run paths-workspace --with 'audit-log={workspace}/audit/dry.jsonl'
check "[paths-workspace] \${{ github.workspace }}/… arrives as /github/workspace/…" \
    test "$(env_of paths-workspace AUDIT-LOG)" = /github/workspace/audit/dry.jsonl
check "[paths-workspace] exit code 0" test "$(get paths-workspace exit_code)" = 0
check "[paths-workspace] the audit log lands in the checkout" test -s "$WORK/paths-workspace/workspace/audit/dry.jsonl"
# The runner does not translate outputs back: a later step on the host cannot open
# /github/workspace/…; the workspace-relative path is what it can use.
check "[paths-workspace] output audit-log is usable by a later host step (got '$(output paths-workspace audit-log)')" \
    test "$(output paths-workspace audit-log)" = audit/dry.jsonl

paths_run paths-temp --with 'audit-log={runner_temp}/audit/dry.jsonl'
check "[paths-temp] \${{ runner.temp }}/… arrives as /github/runner_temp/…" \
    test "$(env_of paths-temp AUDIT-LOG)" = /github/runner_temp/audit/dry.jsonl
check "[paths-temp] exit code 0" test "$(get paths-temp exit_code)" = 0
check "[paths-temp] the audit log lands in the host's RUNNER_TEMP" test -s "$(host_of paths-temp runner_temp)/audit/dry.jsonl"
check "[paths-temp] output audit-log names it at its host path (got '$(output paths-temp audit-log)')" \
    test "$(output paths-temp audit-log)" = "$(host_of paths-temp runner_temp)/audit/dry.jsonl"

paths_run paths-outside --with audit-log=/tmp/gbd-audit.jsonl
check "[paths-outside] a path outside the mounts is passed untranslated" test "$(env_of paths-outside AUDIT-LOG)" = /tmp/gbd-audit.jsonl
# It would be written into the container's own filesystem and lost with it: the Action must
# refuse it before any request (a file the job's next steps cannot open is a bad input), not
# report success.
refused_before_requests() { [[ "$(get "$1" exit_code)" == 1 && "$(requests_of "$1")" == 0 ]]; }
check "[paths-outside] an audit-log outside /github/{workspace,runner_temp,home} is refused before any request (exit $(get paths-outside exit_code), $(requests_of paths-outside) requests)" \
    refused_before_requests paths-outside

paths_run paths-smoke-abs --with 'smoke-test={workspace}/bots/smoke.yml'
check "[paths-smoke-abs] \${{ github.workspace }}/bots/smoke.yml arrives as /github/workspace/bots/smoke.yml" \
    test "$(env_of paths-smoke-abs SMOKE-TEST)" = /github/workspace/bots/smoke.yml
check "[paths-smoke-abs] a smoke-test path under /github/workspace is accepted (exit $(get paths-smoke-abs exit_code))" \
    test "$(get paths-smoke-abs exit_code)" = 0
for run in paths-relative paths-workspace paths-temp paths-outside paths-smoke-abs; do
    check "[$run] file commands parse as the runner parses them" test "$(get "$run" file_command_errors)" = "[]"
done

# ---------------------------------------------------------------------------------------
# cancel: the job is cancelled once the publish has started (the log's "→ Publishing" line,
# written when the publish was sent). The runner signals the docker CLI, which passes the
# signal to the Action.
ended_by_itself() {
    [[ "$(get "$1" ended_by)" == itself && "$(get "$1" signals.0.signal)" == SIGINT && -z "$(get "$1" signals.1)" ]]
}
cancel_checks() {
    local run=$1 audit="$WORK/$1/workspace/audit.jsonl"
    echo "    signals: $(get "$run" signals); ended $(get "$run" after_first_signal_s) s after the first"
    check "[$run] cancelled after the publish started" grep -q '^→ Publishing ' <<<"$(get "$run" cancel_line)"
    check "[$run] the Action ended by itself after SIGINT, before SIGTERM (7.5 s)" ended_by_itself "$run"
    check "[$run] exit code 2 (the publish may still go live)" test "$(get "$run" exit_code)" = 2
    check "[$run] output status is cancelled" test "$(output "$run" status)" = cancelled
    check "[$run] output operation-id written" test -n "$(output "$run" operation-id)"
    check "[$run] output deployment-id written" test -n "$(output "$run" deployment-id)"
    check "[$run] step summary written and says cancelled" grep -qi cancelled "$WORK/$run/out/summary.md"
    check "[$run] the audit trail ends with deployment_cancelled then metrics" \
        test "$(grep -o '"event":"[a-z_]*"' "$audit" | tail -n 2 | tr '\n' ' ')" = '"event":"deployment_cancelled" "event":"metrics" '
    no_secret_anywhere "$run" "$audit"
    runner_accepts "$run"
}
run_action cancel --network host --with "api-url=$NEVER_URL" --with "login-url=$NEVER_URL" \
    --with timeout-seconds=120 --with audit-log=audit.jsonl --cancel-on '^→ Publishing '
cancel_checks cancel
# The read that decides what is live after the signal hangs: only the Action's own grace
# (shorter than the runner's 7.5 s) ends it.
run_action cancel-hang --network host --with "api-url=$HANG_URL" --with "login-url=$HANG_URL" \
    --with timeout-seconds=120 --with audit-log=audit.jsonl --cancel-on '^→ Publishing '
cancel_checks cancel-hang
check "[cancel-hang] the Action waited for its read until its grace, not less than 5 s" \
    python3 -c 'import sys; sys.exit(not float(sys.argv[1]) >= 5)' "$(get cancel-hang after_first_signal_s)"

# ---------------------------------------------------------------------------------------
# bridge: ci.yml's "uses ./ against the sandbox" job. The container is on a bridge network
# where the host's loopback is out of reach and the Action refuses plain http to anything but
# loopback: the sandbox (http on 127.0.0.1) is behind a TLS proxy on the bridge's gateway,
# with a throwaway CA the container trusts through SSL_CERT_FILE, and --public-url makes the
# channels' connectUri wss://<gateway>:<proxy port>/..., through the proxy too.
if [[ "${SMOKE_BRIDGE:-1}" == 0 ]]; then
    echo "::warning title=container smoke test::SMOKE_BRIDGE=0: the bridge-network run (ci.yml's action job) was skipped"
else
    NETWORK=podman
    GATEWAY=$(pm network inspect "$NETWORK" --format '{{range .Subnets}}{{.Gateway}}{{end}}')
    SUBNET=$(pm network inspect "$NETWORK" --format '{{range .Subnets}}{{.Subnet}}{{end}}')
    [[ -n "$GATEWAY" && -n "$SUBNET" ]] || fail "no gateway/subnet for podman network '$NETWORK'"
    PROXY_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    start_sandbox bridge --public-url "https://$GATEWAY:$PROXY_PORT"; BRIDGE_URL=$SB_URL
    TLS="$WORK/bridge/workspace/.sandbox-tls"
    mkdir -p "$TLS"
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=genesys-bot-deploy smoke CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$TLS/ca.key" -out "$TLS/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$GATEWAY" \
        -keyout "$TLS/server.key" -out "$TLS/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
        "$GATEWAY" >"$TLS/server.ext"
    openssl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial \
        -days 1 -extfile "$TLS/server.ext" -out "$TLS/server.pem" 2>/dev/null
    # ci.yml binds the proxy to docker0's gateway, which exists before any container. A podman
    # bridge may exist only while a container uses it (netavark), so the proxy listens on every
    # address and accepts clients of the bridge's subnet only.
    socat "OPENSSL-LISTEN:$PROXY_PORT,reuseaddr,fork,range=$SUBNET,cert=$TLS/server.pem,key=$TLS/server.key,verify=0" \
        "TCP:${BRIDGE_URL#http://}" >"$WORK/socat.log" 2>&1 &
    PIDS+=("$!")
    for _ in $(seq 1 100); do
        python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$PROXY_PORT" 2>/dev/null && break
        sleep 0.1
    done
    PROXY_URL="https://$GATEWAY:$PROXY_PORT"
    run_action bridge --network "$NETWORK" --env 'SSL_CERT_FILE={workspace}/.sandbox-tls/ca.pem' \
        --with "api-url=$PROXY_URL" --with "login-url=$PROXY_URL" --with timeout-seconds=120 \
        --with audit-log=audit-publish.jsonl
    AUDIT="$WORK/bridge/workspace/audit-publish.jsonl"
    check "[bridge] exit code 0" test "$(get bridge exit_code)" = 0
    check "[bridge] output status is published" test "$(output bridge status)" = published
    check "[bridge] the wait channel was push (got '$(metric "$AUDIT" wait_channel)')" \
        grep -q '^push' <<<"$(metric "$AUDIT" wait_channel)"
    check "[bridge] the wait was decided by push" test "$(metric "$AUDIT" decided_by)" = push
    check "[bridge] the socket went through the proxy (sandbox log)" \
        grep -q 'GET /channels/.* -> 101' "$WORK/sandbox-bridge.err"
    no_secret_anywhere bridge "$AUDIT"
    runner_accepts bridge
fi

# ---------------------------------------------------------------------------------------
if ((ERRORS > 0)); then
    for run in "${RUNS[@]}"; do
        echo "==> $run: result $(get "$run" result), exit $(get "$run" exit_code); log (last 15 lines):"
        tail -n 15 "$WORK/$run/out/log" | cut -c1-300 | sed 's/^/    /'
    done
    fail "$ERRORS check(s) failed"
fi
echo "==> container smoke test passed (image $SIZE bytes, ${#RUNS[@]} runs)"
