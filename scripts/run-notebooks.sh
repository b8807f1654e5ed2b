#!/usr/bin/env bash
# Builds dist/ and executes the notebooks headlessly with the tslab kernel, one nbconvert call per
# notebook, stopping at the first failing one and showing the failing cell's error.
#   npm run notebooks:run                              # every notebooks/*.ipynb
#   npm run notebooks:run -- notebooks/01-data.ipynb   # some of them
# Executed copies (with outputs) go to $NOTEBOOKS_OUT (default test-artifacts/notebooks), never into
# notebooks/: outputs stay out of git. DATABASE_URL, when set, is passed through: the notebooks
# then use that database instead of a scratch embedded one.
# Each executed copy must stay under $NOTEBOOK_MAX_BYTES (default 2,000,000): plotly.js is loaded once
# per notebook (notebookPlotter), and a notebook that inlines it per chart again fails here.
# Needs `npm run notebooks:setup` first (the .venv with nbconvert).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=${NOTEBOOKS_OUT:-$ROOT/test-artifacts/notebooks}
MAX_BYTES=${NOTEBOOK_MAX_BYTES:-2000000}
JUPYTER=$ROOT/.venv/bin/jupyter

if [ ! -x "$JUPYTER" ] || [ ! -x "$ROOT/.venv/bin/jupyter-nbconvert" ]; then
  echo "run-notebooks: $ROOT/.venv has no nbconvert; run 'npm run notebooks:setup' first" >&2
  exit 1
fi
# The kernel runs with the notebook's folder as its working directory: use absolute paths.
export PATH="$ROOT/node_modules/.bin:$PATH"
export JUPYTER_PATH="$ROOT/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
if ! command -v tslab >/dev/null; then
  echo "run-notebooks: tslab is not in node_modules/.bin; run 'npm ci' first" >&2
  exit 1
fi

if [ "$#" -gt 0 ]; then
  notebooks=("$@")
else
  shopt -s nullglob
  notebooks=(notebooks/*.ipynb)
  shopt -u nullglob
fi
if [ "${#notebooks[@]}" -eq 0 ]; then
  echo "run-notebooks: no notebooks to run" >&2
  exit 1
fi

# Notebooks are stored without outputs (an inlined plot is megabytes); refuse to run otherwise.
"$ROOT/.venv/bin/python" - "${notebooks[@]}" <<'PY'
import json, sys
bad = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    if any(c.get("outputs") or c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code"):
        bad.append(path)
if bad:
    print("run-notebooks: stored with outputs: " + ", ".join(bad), file=sys.stderr)
    print("  clear them: .venv/bin/jupyter nbconvert --clear-output --inplace " + " ".join(bad), file=sys.stderr)
    sys.exit(1)
PY

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

start=$(now)
echo "run-notebooks: building dist/"
npm run build --silent
echo "run-notebooks: build took $(since "$start") s"

mkdir -p "$OUT"
# Notebooks put scratch stores under os.tmpdir(); a failed run kills the kernel before its clean-up
# cell, so give the kernels a temporary TMPDIR of their own and remove it at the end.
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/momentum-notebooks.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
export TMPDIR="$SCRATCH"
if [ -n "${DATABASE_URL:-}" ]; then
  echo "run-notebooks: database from DATABASE_URL ($(printf '%s' "$DATABASE_URL" | sed -E 's#(://[^:/@]+):[^/]*@#\1:***@#'))"
else
  echo "run-notebooks: database: a scratch embedded (PGlite) store per notebook"
fi

for notebook in "${notebooks[@]}"; do
  name=$(basename "$notebook" .ipynb)
  log="$OUT/$name.log"
  t0=$(now)
  if "$JUPYTER" nbconvert --to notebook --execute \
      --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=tslab \
      --output-dir "$OUT" --output "$name" "$notebook" >"$log" 2>&1; then
    bytes=$(stat -c %s "$OUT/$name.ipynb")
    printf 'run-notebooks: %-28s ok     %6.1f s  %9s bytes -> %s\n' "$name" "$(since "$t0")" "$bytes" "${OUT#"$ROOT"/}/$name.ipynb"
    if [ "$bytes" -gt "$MAX_BYTES" ]; then
      echo "run-notebooks: $name.ipynb executed is $bytes bytes, over $MAX_BYTES: show charts with notebookPlotter (plotly.js once per notebook)" >&2
      exit 1
    fi
  else
    printf 'run-notebooks: %-28s FAILED %6.1f s  (log: %s)\n' "$name" "$(since "$t0")" "$log" >&2
    # nbclient prints the failing cell's source and error after this line; else show the log's end.
    if grep -q 'An error occurred while executing the following cell' "$log"; then
      sed -n '/An error occurred while executing the following cell/,$p' "$log" >&2
    else
      tail -n 40 "$log" >&2
    fi
    exit 1
  fi
done
echo "run-notebooks: ${#notebooks[@]} notebook(s) passed in $(since "$start") s"
