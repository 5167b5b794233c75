#!/usr/bin/env bash
# `pnpm lint:packages`: packs @writ/claims and @writ/verifier and lints the tarballs as a registry
# would see them: publint (--strict) and are-the-types-wrong (ESM only: Node 20 import, bundlers).
# Offline. Needs `pnpm build` first.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for pkg in claims verifier; do
  [ -f "$root/packages/$pkg/dist/index.js" ] || { echo "packages/$pkg/dist is missing: run pnpm build first" >&2; exit 1; }
  (cd "$root/packages/$pkg" && pnpm pack --pack-destination "$work" >/dev/null)
done
cd "$root"
for tarball in "$work"/*.tgz; do
  echo "== $(basename "$tarball")"
  pnpm exec publint run "$tarball" --strict
  pnpm exec attw "$tarball" --profile esm-only --format table-flipped
done
