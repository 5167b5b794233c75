#!/usr/bin/env bash
# Packs @writ/claims and @writ/verifier (pnpm pack), installs the tarballs into a fresh npm project
# outside the workspace, starts the built broker in dev mode on a free port, and runs smoke.mjs
# with plain node (no TypeScript loader). Needs `pnpm build` first. Used by .ci/run.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
broker_pid=""
cleanup() {
  if [ -n "$broker_pid" ]; then kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

for pkg in claims verifier; do
  [ -f "$root/packages/$pkg/dist/index.js" ] || { echo "packages/$pkg/dist is missing: run pnpm build first" >&2; exit 1; }
  (cd "$root/packages/$pkg" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
zod_version="$(node -p "require('$root/packages/claims/node_modules/zod/package.json').version")"

mkdir "$work/app"
cp "$root/test/pack/smoke.mjs" "$work/app/"
(cd "$work/app" && npm init -y >/dev/null && npm pkg set type=module >/dev/null \
  && npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz "zod@$zod_version" >/dev/null)

port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
admin_key="smoke-admin-$(node -p 'require("crypto").randomBytes(16).toString("hex")')"
WRIT_DEV=1 WRIT_PORT="$port" WRIT_DEV_ADMIN_KEY="$admin_key" WRIT_LOG_LEVEL=warn \
  node --no-turbo-inline-js-wasm-calls "$root/apps/broker/dist/main.js" 2>"$work/broker.log" &
broker_pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://localhost:$port/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$broker_pid" 2>/dev/null; then cat "$work/broker.log" >&2; exit 1; fi
  sleep 0.1
done

if ! (cd "$work/app" && BROKER_URL="http://localhost:$port" ADMIN_KEY="$admin_key" node smoke.mjs); then
  echo "--- broker log ---" >&2
  tail -n 50 "$work/broker.log" >&2
  exit 1
fi
