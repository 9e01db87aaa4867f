#!/usr/bin/env bash
# Builds the publishable library (libs/streams) from its one source tree into two module formats:
#   dist/esm  ES modules (the code Node runs for `import` and, through the `module-sync` condition,
#             for `require` on Node >= 20.19 / >= 22.12), the `plan` command, ESM type declarations;
#   dist/cjs  CommonJS (what `require` gets where `module-sync` is not offered, e.g. Jest in CommonJS
#             mode on Node < 24.9), with a package.json marking the folder as CommonJS.
# Both carry source maps and declaration maps pointing at ../../src, which the package ships.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lib="$root/libs/streams"
tsc=(node "$root/node_modules/typescript/bin/tsc")

# The dashboard page inlines its program and style, bundled from src/dashboard/browser/.
node "$root/scripts/build-dashboard-assets.mjs"
rm -rf "$lib/dist"
"${tsc[@]}" -p "$lib/tsconfig.esm.json"
"${tsc[@]}" -p "$lib/tsconfig.cjs.json"
echo '{ "type": "commonjs" }' > "$lib/dist/cjs/package.json"
chmod +x "$lib/dist/esm/cli/main.js"
