#!/usr/bin/env bash
# `pip install .` into a bare virtualenv gives working console scripts: the declared dependencies
# (pyproject.toml) are enough to run them. CI runs this after the suite (`make check-install`).
# The versions are held to the tested lock (requirements/dev.txt) so that a release elsewhere
# does not make this step fail while main is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
python=${PYTHON:-python3}
work=$(mktemp -d)
# setuptools builds in the source tree (build/); remove it afterwards unless it was there before,
# so that nothing of the install is left for makemessages or the linters to find.
[[ -e build ]] && keep_build=1 || keep_build=0
cleanup() {
  rm -rf "$work"
  if [[ $keep_build == 0 ]]; then rm -rf "$src/build"; fi
}
trap cleanup EXIT

"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --constraint requirements/dev.txt "$src"

# Outside the source tree, so that nothing is imported from src/ by accident.
cd "$work"
"$work/venv/bin/samverkan-placement" --help >/dev/null
"$work/venv/bin/samverkan-panel" --help >/dev/null

# A real placement, so the optimizer's own dependencies (numpy, HiGHS) are proven too.
printf 'code,name,capacity_persons,large_dwellings,need_slots\n0180,Stockholm,10,1,SM=1\n' >M.csv
printf 'case_id,size,needs,tie_municipality\nA,3,SM,\nB,7,,\n' >C.csv
"$work/venv/bin/samverkan-placement" solve --municipalities M.csv --cases C.csv \
  --out placement.csv --report report.json
expected=$'case_id,municipality_code\nA,0180\nB,0180'
actual=$(tr -d '\r' <placement.csv)
if [[ "$actual" != "$expected" ]]; then
  echo "check-install: unexpected placement:" >&2
  echo "$actual" >&2
  exit 1
fi
echo "check-install: pip install . gives working samverkan-placement and samverkan-panel"
