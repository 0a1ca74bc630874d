#!/usr/bin/env bash
# Container smoke test: build the Action's image from a static musl binary and run it
# exactly as the GitHub runner runs a container action (same mounts, working directory,
# INPUT_* and GITHUB_* environment, file-command files), against the Genesys Cloud
# sandbox on loopback. Asserts: exit code 0, output status=published, a non-empty job
# summary naming the bot, no client secret anywhere, image <= 15 MiB.
#
# Works on a fresh Debian machine as root with only Rust installed (installs musl-tools,
# podman and runc when missing). No base image is pulled: the image is FROM scratch.
#
# Knobs (all optional):
#   SMOKE_ACTION_BIN   use this prebuilt static binary instead of building one
#   SMOKE_SANDBOX_BIN  use this prebuilt sandbox binary instead of `cargo build -p genesys-sandbox`
#   SMOKE_CLIENT_ID / SMOKE_CLIENT_SECRET / SMOKE_BOT_ID
#                      client and bot to deploy; default: the sandbox's built-in demo scenario
#                      (sandbox/src/default_scenario.rs DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
#                      DEMO_BOT_ID), unless the sandbox prints `client-id=` / `client-secret=` /
#                      `bot-id=` lines itself
#   SMOKE_KEEP=1       keep the temporary directory for inspection
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

TARGET=x86_64-unknown-linux-musl
IMAGE=localhost/genesys-bot-deploy:smoke
MAX_IMAGE_BYTES=$((15 * 1024 * 1024))
PODMAN_GLOBAL=(--runtime runc --storage-driver vfs --cgroup-manager cgroupfs)

step() { printf '==> %s\n' "$*"; }
fail() { printf '::error title=container smoke test::%s\n' "$*" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gbd-smoke.XXXXXX")
SANDBOX_PID=""
cleanup() {
    local rc=$?
    if [[ -n "$SANDBOX_PID" ]] && kill -0 "$SANDBOX_PID" 2>/dev/null; then
        kill "$SANDBOX_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SANDBOX_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SANDBOX_PID" 2>/dev/null || true
        wait "$SANDBOX_PID" 2>/dev/null || true
    fi
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
podman --version
runc --version | head -n 1

# The default OCI runtime (crun) and the default ulimits fail in this kind of sandboxed
# machine (setrlimit: Operation not permitted); runc with no default ulimits works.
printf '[containers]\ndefault_ulimits = []\n' > "$WORK/containers.conf"
export CONTAINERS_CONF="$WORK/containers.conf"

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
podman "${PODMAN_GLOBAL[@]}" rmi --force --ignore "$IMAGE" >/dev/null
podman "${PODMAN_GLOBAL[@]}" build --quiet -f "$ROOT/.ci/Containerfile.smoke" -t "$IMAGE" "$WORK/context"
SIZE=$(podman "${PODMAN_GLOBAL[@]}" image inspect --format '{{.Size}}' "$IMAGE")
printf '==> image size: %s bytes (%s KiB), limit %s bytes (15 MiB)\n' "$SIZE" "$((SIZE / 1024))" "$MAX_IMAGE_BYTES"
((SIZE <= MAX_IMAGE_BYTES)) || fail "image is $SIZE bytes, more than 15 MiB"
ENTRYPOINT=$(podman "${PODMAN_GLOBAL[@]}" image inspect --format '{{json .Config.Entrypoint}}' "$IMAGE")
[[ "$ENTRYPOINT" == '["/genesys-bot-deploy"]' ]] || fail "unexpected entrypoint $ENTRYPOINT"

# ---------------------------------------------------------------------------------------
step "starting the sandbox"
if [[ -n "${SMOKE_SANDBOX_BIN:-}" ]]; then
    SANDBOX_BIN=$SMOKE_SANDBOX_BIN
else
    cargo build --locked -p genesys-sandbox
    SANDBOX_BIN="$(cargo metadata --format-version 1 --no-deps \
        | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/debug/genesys-sandbox"
fi
[[ -x "$SANDBOX_BIN" ]] || fail "no sandbox binary at $SANDBOX_BIN"

# Same as `cargo run -p genesys-sandbox -- --port 0`, but the pid is the server's. Port 0:
# the sandbox binds a free loopback port and prints it in its api-url= line.
"$SANDBOX_BIN" --port 0 >"$WORK/sandbox.out" 2>"$WORK/sandbox.err" &
SANDBOX_PID=$!
API_URL=""
for _ in $(seq 1 300); do
    API_URL=$(sed -n 's/^api-url=//p' "$WORK/sandbox.out" | head -n 1)
    [[ -n "$API_URL" ]] && break
    kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$WORK/sandbox.err" >&2; fail "the sandbox exited before printing api-url="; }
    sleep 0.1
done
[[ -n "$API_URL" ]] || { cat "$WORK/sandbox.err" >&2; fail "the sandbox printed no api-url= line within 30 s"; }
sandbox_value() { sed -n "s/^$1=//p" "$WORK/sandbox.out" | head -n 1; }
LOGIN_URL=$(sandbox_value login-url); LOGIN_URL=${LOGIN_URL:-$API_URL}
# The built-in demo scenario: "Billing Assistant", 1.0 published, 2.0 checked in and publishable.
CLIENT_ID=$(sandbox_value client-id); CLIENT_ID=${CLIENT_ID:-${SMOKE_CLIENT_ID:-c0ffee00-5a4d-4b0c-9e11-5a4db0c9e110}}
CLIENT_SECRET=$(sandbox_value client-secret); CLIENT_SECRET=${CLIENT_SECRET:-${SMOKE_CLIENT_SECRET:-sandbox-demo-secret}}
BOT_ID=$(sandbox_value bot-id); BOT_ID=${BOT_ID:-${SMOKE_BOT_ID:-b1111111-3c4d-4e5f-8a6b-0000000000b1}}
echo "==> sandbox pid $SANDBOX_PID: api-url=$API_URL login-url=$LOGIN_URL bot-id=$BOT_ID"

# ---------------------------------------------------------------------------------------
step "preparing the runner's directories and file-command files"
for d in workspace file_commands home workflow runner_temp; do mkdir -p "$WORK/runner/$d"; done
echo '{}' > "$WORK/runner/workflow/event.json"
UUID=$(cat /proc/sys/kernel/random/uuid)
for prefix in set_output_ set_env_ add_path_ save_state_ step_summary_; do
    : > "$WORK/runner/file_commands/${prefix}${UUID}"
done

# The with: map of the step, as a workflow would give it.
declare -A WITH=(
    [client-id]=$CLIENT_ID
    [client-secret]=$CLIENT_SECRET
    [api-url]=$API_URL
    [login-url]=$LOGIN_URL
    [bot-id]=$BOT_ID
    [environment]=smoke
    [timeout-seconds]=60
    [poll-interval-seconds]=0.2
    [poll-max-interval-seconds]=1
)

# Every input declared in action.yml becomes INPUT_<NAME> (upper-cased, dashes kept):
# the with: value, else the default, else "" -- as the runner does.
declared_inputs() {
    # Prints "name<TAB>default" for each input of action.yml (two-space keys under inputs:).
    awk '
        /^[^[:space:]#]/ { in_inputs = ($0 ~ /^inputs:/); if (name != "") { print name "\t" def; name = "" } next }
        !in_inputs { next }
        /^  [A-Za-z_][A-Za-z0-9_-]*:[[:space:]]*$/ {
            if (name != "") print name "\t" def
            name = $1; sub(/:$/, "", name); def = ""; next
        }
        /^    default:/ {
            def = $0; sub(/^    default:[[:space:]]*/, "", def)
            if (def ~ /^".*"$/ || def ~ /^\047.*\047$/) def = substr(def, 2, length(def) - 2)
        }
        END { if (name != "") print name "\t" def }
    ' "$ROOT/action.yml"
}
ENV_ASSIGN=()
ENV_FLAGS=()
declared=0
while IFS=$'\t' read -r name default; do
    [[ -n "$name" ]] || continue
    declared=$((declared + 1))
    var="INPUT_$(printf '%s' "${name// /_}" | tr '[:lower:]' '[:upper:]')"
    value=${WITH[$name]-$default}
    ENV_ASSIGN+=("$var=$value")
    ENV_FLAGS+=(-e "$var")
done < <(declared_inputs)
((declared >= 20)) || fail "read only $declared inputs from action.yml"
for key in "${!WITH[@]}"; do
    declared_inputs | cut -f1 | grep -qxF "$key" || fail "with: key '$key' is not an input of action.yml"
done
echo "==> $declared inputs passed as INPUT_* (dashes kept)"

# The runner passes values through the docker CLI's environment (-e NAME), never argv.
RUNNER_ENV=(
    HOME=/github/home
    GITHUB_ACTIONS=true
    CI=true
    GITHUB_WORKSPACE=/github/workspace
    GITHUB_EVENT_PATH=/github/workflow/event.json
    GITHUB_EVENT_NAME=workflow_dispatch
    GITHUB_OUTPUT="/github/file_commands/set_output_$UUID"
    GITHUB_ENV="/github/file_commands/set_env_$UUID"
    GITHUB_PATH="/github/file_commands/add_path_$UUID"
    GITHUB_STATE="/github/file_commands/save_state_$UUID"
    GITHUB_STEP_SUMMARY="/github/file_commands/step_summary_$UUID"
    GITHUB_REPOSITORY=genesys-bot-deploy/genesys-bot-deploy
    GITHUB_REPOSITORY_OWNER=genesys-bot-deploy
    GITHUB_SERVER_URL=https://github.com
    GITHUB_API_URL=https://api.github.com
    GITHUB_REF=refs/heads/main
    GITHUB_REF_NAME=main
    GITHUB_SHA=0000000000000000000000000000000000000000
    GITHUB_RUN_ID=1
    GITHUB_RUN_NUMBER=1
    GITHUB_RUN_ATTEMPT=1
    GITHUB_JOB=smoke
    GITHUB_ACTION=__self
    GITHUB_ACTOR=smoke-test
    GITHUB_WORKFLOW=container-smoke
    RUNNER_OS=Linux
    RUNNER_ARCH=X64
    RUNNER_NAME=container-smoke
    RUNNER_ENVIRONMENT=self-hosted
    RUNNER_TEMP=/github/runner_temp
)
for kv in "${RUNNER_ENV[@]}"; do ENV_FLAGS+=(-e "${kv%%=*}"); done

# ---------------------------------------------------------------------------------------
step "podman run (as the runner runs a container action)"
set +e
env "${RUNNER_ENV[@]}" "${ENV_ASSIGN[@]}" \
    timeout --signal=TERM --kill-after=10 300 \
    podman "${PODMAN_GLOBAL[@]}" run --rm --network host \
        --name "gbd-smoke-$UUID" \
        --workdir /github/workspace \
        "${ENV_FLAGS[@]}" \
        -v "$WORK/runner/runner_temp:/github/runner_temp" \
        -v "$WORK/runner/home:/github/home" \
        -v "$WORK/runner/workflow:/github/workflow" \
        -v "$WORK/runner/file_commands:/github/file_commands" \
        -v "$WORK/runner/workspace:/github/workspace" \
        "$IMAGE" >"$WORK/stdout" 2>"$WORK/stderr"
RC=$?
set -e
OUTPUT_FILE="$WORK/runner/file_commands/set_output_$UUID"
SUMMARY_FILE="$WORK/runner/file_commands/step_summary_$UUID"

echo "==> exit code: $RC"
echo "==> stderr (last 20 lines):"; tail -n 20 "$WORK/stderr" | sed 's/^/    /'
echo "==> stdout (last 20 lines):"; tail -n 20 "$WORK/stdout" | sed 's/^/    /'

# ---------------------------------------------------------------------------------------
step "checking outputs, summary and secrets"
# Parse GITHUB_OUTPUT by the runner's rules (FileCommandManager EnvFileKeyValuePairs):
# lines split on \n, empty lines skipped; '=' before '<<' is name=value; '<<' before '='
# is a heredoc whose value ends before the first line equal to the delimiter.
# Prints "name<TAB>value" with newlines in values shown as \n; exits 1 on a malformed file.
parse_outputs() {
    awk '
        BEGIN { in_heredoc = 0; bad = 0 }
        in_heredoc {
            if ($0 == delim) { print key "\t" val; in_heredoc = 0; next }
            val = (started ? val "\\n" : "") $0; started = 1; next
        }
        $0 == "" { next }
        {
            eq = index($0, "="); hd = index($0, "<<")
            if (eq > 0 && (hd == 0 || eq < hd)) { print substr($0, 1, eq - 1) "\t" substr($0, eq + 1); next }
            if (hd > 0) {
                key = substr($0, 1, hd - 1); delim = substr($0, hd + 2)
                if (key == "" || delim == "") { print "invalid heredoc line: " $0 > "/dev/stderr"; bad = 1; exit 1 }
                in_heredoc = 1; started = 0; val = ""; next
            }
            print "invalid line: " $0 > "/dev/stderr"; bad = 1; exit 1
        }
        END { if (!bad && in_heredoc) { print "matching delimiter not found: " delim > "/dev/stderr"; exit 1 } }
    ' "$1"
}
echo "==> outputs:"
parse_outputs "$OUTPUT_FILE" >"$WORK/outputs.tsv" || fail "GITHUB_OUTPUT is malformed; the runner would fail the step"
sed 's/^/    /' "$WORK/outputs.tsv"
output() { awk -F'\t' -v k="$1" '$1 == k { v = substr($0, length(k) + 2) } END { print v }' "$WORK/outputs.tsv"; }

ERRORS=0
# check <description> <command>...: run the command, count a failure instead of exiting.
check() {
    local what=$1; shift
    if "$@"; then echo "    ok: $what"; else echo "    FAILED: $what" >&2; ERRORS=$((ERRORS + 1)); fi
}
# The `::add-mask::` line is the one place the secret must appear: it is how the runner
# learns to hide it. Every other line must not carry it.
absent() { ! grep -vF -- '::add-mask::' "$2" | grep -qF -- "$1"; }
masked() { grep -qxF -- "::add-mask::$1" "$2"; }
STATUS=$(output status)
DEPLOYMENT_ID=$(output deployment-id)
SUMMARY_BYTES=$(wc -c <"$SUMMARY_FILE")
check "exit code is 0 (got $RC)" test "$RC" -eq 0
check "output status is published (got '$STATUS')" test "$STATUS" = published
check "output deployment-id is set" test -n "$DEPLOYMENT_ID"
check "step summary is non-empty" test -s "$SUMMARY_FILE"
check "step summary mentions the bot $BOT_ID" grep -qF -- "$BOT_ID" "$SUMMARY_FILE"
check "step summary is at most 1 MiB ($SUMMARY_BYTES bytes)" test "$SUMMARY_BYTES" -le 1048576
check "client secret masked for the runner on stdout" masked "$CLIENT_SECRET" "$WORK/stdout"
for f in "$WORK/stdout" "$WORK/stderr" "$OUTPUT_FILE" "$SUMMARY_FILE"; do
    check "client secret absent from $(basename "$f")" absent "$CLIENT_SECRET" "$f"
done
if ((ERRORS > 0)); then
    echo "==> step summary:"; sed 's/^/    /' "$SUMMARY_FILE" | head -n 60
    echo "==> sandbox stderr (last 20 lines):"; tail -n 20 "$WORK/sandbox.err" | sed 's/^/    /'
    fail "$ERRORS check(s) failed"
fi
echo "==> container smoke test passed (image $SIZE bytes)"
