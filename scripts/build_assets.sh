#!/usr/bin/env bash
# Builds static/vendor/ from packages installed from the npm registry (never committed):
# the design system's CSS compiled with our settings, htmx, Vega/Vega-Lite/vega-embed for charts
# (with vega-interpreter bundled by esbuild, so charts run under a CSP without 'unsafe-eval'), and
# axe-core for accessibility tests.
# Fails loudly, naming the missing file, when `npm ci` has not been run.
set -euo pipefail
cd "$(dirname "$0")/.."

require() {
  if [[ ! -e "$1" ]]; then
    echo "build_assets: missing $1 (run 'npm ci' or 'make setup' first)" >&2
    exit 1
  fi
}

sass=node_modules/.bin/sass
govuk=node_modules/govuk-frontend/dist/govuk
htmx=node_modules/htmx.org/dist/htmx.min.js
axe=node_modules/axe-core/axe.min.js
esbuild=node_modules/.bin/esbuild
vega=node_modules/vega/build/vega.min.js
vegalite=node_modules/vega-lite/build/vega-lite.min.js
vegaembed=node_modules/vega-embed/build/vega-embed.min.js
require "$sass"
require "$govuk/index.scss"
require "$govuk/assets/images/favicon.ico"
require "$htmx"
require "$axe"
require "$esbuild"
require "$vega"
require "$vegalite"
require "$vegaembed"
require static/js/vega-interpreter-entry.js
require static/scss/samverkan.scss

out=static/vendor
tmp=$(mktemp -d "${TMPDIR:-/tmp}/samverkan-vendor.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Build into a temporary directory first, so a failed build never leaves a half-empty vendor/.
"$sass" --quiet --no-source-map --style=compressed --load-path=node_modules \
  static/scss/samverkan.scss "$tmp/samverkan.css"
cp "$htmx" "$tmp/htmx.min.js"
cp "$axe" "$tmp/axe.min.js"
cp "$vega" "$tmp/vega.min.js"
cp "$vegalite" "$tmp/vega-lite.min.js"
cp "$vegaembed" "$tmp/vega-embed.min.js"
"$esbuild" static/js/vega-interpreter-entry.js --bundle --minify --format=iife --log-level=warning \
  --outfile="$tmp/vega-interpreter.min.js"
mkdir -p "$tmp/images"
cp "$govuk/assets/images/favicon.ico" "$tmp/images/"
# GOV.UK Frontend's footer styles refer to the GOV.UK crest, which is licensed for GOV.UK only and
# which we never show; an empty image stands in for it so collectstatic's manifest is complete.
printf '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n' > "$tmp/images/govuk-crest.svg"

# The copied bundles name source maps we do not ship: drop those comments, so the production
# static storage (hashed names) finds every file a bundle refers to.
sed -i -E '/^\/\/[#@] sourceMappingURL=/d; s#/\*[#@] sourceMappingURL=[^*]*\*/##' "$tmp"/*.js "$tmp"/*.css

[[ -s "$tmp/samverkan.css" ]] || { echo "build_assets: sass produced an empty stylesheet" >&2; exit 1; }
rm -rf "$out"
mv "$tmp" "$out"
chmod 755 "$out"
trap - EXIT
echo "build_assets: built $out"
