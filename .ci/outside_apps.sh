#!/usr/bin/env bash
# CI: the module as its users get it, from outside the repository (issue 20).
# In a temporary folder holding only a copy of the repository's files:
#  (a) a Bun app made by `bun init`, which `bun add`s the repository by path
#      and hono, holds the README's app (examples/readme/app.ts, main.ts) and
#      its AppTester test (app_test.ts), type-checks with `tsc --noEmit` under
#      the tsconfig `bun init` writes plus exactOptionalPropertyTypes, and runs
#      the test with `bun test`;
#  (b) the same app for Deno, importing the repository by path (a `links`
#      entry: jsr:@easy-oauth/hono is the copy), checked by `deno check` with
#      the same strict compiler options, and tested by `deno test`.
# Each app also runs the `easy-oauth` command as its users would (--version).
# Needs bun, deno and the npm registry (bun init installs TypeScript from it).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

# A folder with no node_modules in any parent: nothing beside the apps but the copy.
bare_parent() {
  local base dir
  for base in "${TMPDIR:-/tmp}" /var/tmp "$HOME"; do
    dir=$base
    while [ "$dir" != "/" ] && [ ! -e "$dir/node_modules" ]; do dir=$(dirname "$dir"); done
    if [ "$dir" = "/" ] && [ ! -e /node_modules ]; then
      echo "$base"
      return
    fi
  done
  echo "no temporary folder without a node_modules above it" >&2
  return 1
}
work=$(mktemp -d -p "$(bare_parent)")
trap 'rm -rf "$work"' EXIT

mkdir "$work/easy-oauth"
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$repo" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$work/easy-oauth")
else
  (cd "$repo" && tar --exclude=./node_modules -cf - .) | tar -xf - -C "$work/easy-oauth"
fi
# The README's app and test, as a user copies them.
app_files=(app.ts main.ts app_test.ts)
hono=$(sed -n 's/^ *"hono": "npm:hono@\([^"]*\)".*/\1/p' "$repo/deno.json")
status=0

echo "== outside Bun app (hono@$hono)"
mkdir "$work/bun-app"
# Each step says when it fails (`set -e` does not hold in a function called with ||).
step() {
  "$@" || {
    echo "!! failed: $*"
    return 1
  }
}
bun_app() {
  cd "$work/bun-app" &&
    step bun init -y >/dev/null &&
    # bun init's tsconfig (strict, noUncheckedIndexedAccess, noImplicitOverride…), stricter still:
    sed -i 's/"strict": true,/"strict": true,\n    "exactOptionalPropertyTypes": true,/' tsconfig.json &&
    step grep -q '"exactOptionalPropertyTypes": true' tsconfig.json &&
    rm -f index.ts &&
    step bun add "hono@$hono" "../easy-oauth" &&
    for f in "${app_files[@]}"; do cp "$repo/examples/readme/$f" . || return 1; done &&
    { [ -x node_modules/.bin/tsc ] || step bun add -d typescript; } &&
    ./node_modules/.bin/tsc --version &&
    step ./node_modules/.bin/tsc --noEmit -p . &&
    step bun test &&
    # The package's bin, as `bunx easy-oauth` runs it.
    step bunx easy-oauth --version
}
(bun_app) || { echo "!! the outside Bun app failed"; status=1; }

echo "== outside Deno app"
mkdir "$work/deno-app"
deno_app() {
  cd "$work/deno-app" || return 1
  cat >deno.json <<JSON
{
  "imports": {
    "@easy-oauth/hono": "jsr:@easy-oauth/hono@^$(sed -n 's/^ *"version": "\([^"]*\)".*/\1/p' "$repo/deno.json")",
    "hono": "npm:hono@$hono"
  },
  "links": ["../easy-oauth"],
  "compilerOptions": {
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "noImplicitOverride": true,
    "exactOptionalPropertyTypes": true
  }
}
JSON
  for f in "${app_files[@]}"; do cp "$repo/examples/readme/$f" . || return 1; done
  step deno check "${app_files[@]}" && step deno test -A app_test.ts &&
    step deno run -A jsr:@easy-oauth/hono/cli --version
}
(deno_app) || { echo "!! the outside Deno app failed"; status=1; }
exit $status
