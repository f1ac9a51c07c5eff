#!/usr/bin/env bash
# Builds static/vendor/ from packages installed from the npm registry (never committed):
# the design system's CSS compiled with our settings, htmx, and axe-core for accessibility tests.
set -euo pipefail
cd "$(dirname "$0")/.."
out=static/vendor
rm -rf "$out"
mkdir -p "$out"
node_modules/.bin/sass --quiet --no-source-map --style=compressed \
  --load-path=node_modules static/scss/samverkan.scss "$out/samverkan.css"
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx.min.js"
cp node_modules/axe-core/axe.min.js "$out/axe.min.js"
mkdir -p "$out/images"
cp node_modules/govuk-frontend/dist/govuk/assets/images/favicon.ico "$out/images/" 2>/dev/null || true
