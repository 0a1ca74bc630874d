#!/usr/bin/env bash
# The release commit's one change: action.yml's image becomes the released multi-arch image,
# named by its tag AND its digest, so a release tag (and the reusable workflow of that tag,
# which runs the action.yml of its own commit) runs exactly the image that was released,
# whatever later happens to the tag in the registry.
#
#   .ci/release-pin.sh <image> <version> <digest> [action.yml]
#   e.g. .ci/release-pin.sh ghcr.io/acme/genesys-bot-deploy 1.2.3 sha256:<64 hex>
#
# Run by .github/workflows/release.yml (job "release") and, on a scratch copy, by
# .ci/lint-action.sh, which lints the result as the release would commit it.
set -euo pipefail

die() { printf '::error title=release-pin::%s\n' "$*" >&2; exit 1; }
[[ $# -ge 3 && $# -le 4 ]] || die "usage: $0 <image> <version> <digest> [action.yml]"
image=$1 version=$2 digest=$3 file=${4:-action.yml}

# GHCR names are lower-case: registry/owner/name.
[[ "$image" =~ ^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+$ ]] || die "image '$image' is not registry/owner/name in lower case"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "version '$version' is not X.Y.Z"
# The digest of the multi-arch index (release.yml's manifest job), not of one platform's image.
[[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || die "digest '$digest' is not sha256:<64 hex>"
[[ -f "$file" ]] || die "no $file"

count=$(grep -c '^  image: ' "$file" || true)
[[ "$count" == 1 ]] || die "$file has $count 'runs.image' lines (two-space indent), expected 1"
pinned="docker://$image:v$version@$digest"
sed -i "s|^  image: .*|  image: $pinned|" "$file"
grep -qxF "  image: $pinned" "$file" || die "$file: the image line was not rewritten"
echo "$file: image: $pinned"
