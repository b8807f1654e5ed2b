#!/usr/bin/env bash
# Creates the project-local Python environment (.venv) that runs the notebooks:
#   - default: what headless execution needs (nbconvert, which brings nbclient, nbformat and
#     jupyter_client). No ipykernel: the kernel is tslab (node), found through
#     jupyter/kernels/tslab/kernel.json with JUPYTER_PATH=jupyter.
#   - --lab: also JupyterLab, for the interactive UI (`npm run notebooks:lab`).
# Idempotent: packages already importable from .venv are not installed again.
#
# Packages come from the machine's local PyPI mirror when there is one (/opt/pypi/simple,
# /opt/pypi-more/simple, /opt/wheels): the default index is unreachable here and pip would hang on
# it for minutes. Elsewhere pip's own configuration is used. PIP_INDEX_URL, when set, wins.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=.venv
LAB=0
for arg in "$@"; do
  case "$arg" in
    --lab) LAB=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup-notebooks: unknown option $arg (use --lab or nothing)" >&2; exit 2 ;;
  esac
done

start=$(date +%s)

# Python modules to check -> pip requirements that provide them.
modules=(nbconvert nbclient nbformat jupyter_client)
requirements=(nbconvert nbclient nbformat jupyter_client)
if [ "$LAB" = 1 ]; then
  modules+=(jupyterlab)
  requirements+=(jupyterlab)
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup-notebooks: creating $VENV"
  python3 -m venv "$VENV"
fi
# The project's package.json says "type": "module", which would make Node load the CommonJS .js
# files that JupyterLab ships (its bundled yarn) as ESM: "Dynamic require of "util" is not supported".
[ -f "$VENV/package.json" ] || echo '{ "type": "commonjs" }' >"$VENV/package.json"

missing_modules() {
  "$VENV/bin/python" - "${modules[@]}" <<'PY'
import importlib.util, sys
print(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))
PY
}

missing=$(missing_modules)
if [ -z "$missing" ] && [ -x "$VENV/bin/jupyter-nbconvert" ]; then
  echo "setup-notebooks: $VENV already has ${modules[*]} ($(( $(date +%s) - start )) s)"
  exit 0
fi

index_args=()
if [ -z "${PIP_INDEX_URL:-}" ] && [ -d /opt/pypi/simple ]; then
  index_args+=(--index-url file:///opt/pypi/simple)
  [ -d /opt/pypi-more/simple ] && index_args+=(--extra-index-url file:///opt/pypi-more/simple)
  [ -d /opt/wheels ] && index_args+=(--find-links /opt/wheels)
fi

echo "setup-notebooks: installing ${requirements[*]} into $VENV (missing: ${missing:-console scripts})"
# pip's log goes to a file (a local mirror without some packages makes pip warn once per package);
# it is shown only when the install fails.
log="$VENV/pip-install.log"
if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${index_args[@]}" "${requirements[@]}" >"$log" 2>&1; then
  grep -v "is ignored: it is neither a file nor a directory" "$log" | tail -n 40 >&2
  echo "setup-notebooks: pip install failed (full log: $log)" >&2
  exit 1
fi

missing=$(missing_modules)
if [ -n "$missing" ]; then
  echo "setup-notebooks: still missing after install: $missing" >&2
  exit 1
fi
echo "setup-notebooks: ready in $(( $(date +%s) - start )) s ($("$VENV/bin/jupyter" nbconvert --version 2>/dev/null | sed 's/^/nbconvert /'))"
