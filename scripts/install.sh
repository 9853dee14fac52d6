#!/usr/bin/env bash
# Set up .venv from uv.lock. Installs uv with pip when it is missing. Idempotent.
# Bytecode is compiled at install (the installed packages by uv, the project's own sources with
# compileall): where PYTHONDONTWRITEBYTECODE is set, Python never writes it, and every process
# would otherwise recompile some 2,000 modules before doing anything.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
else
  python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check uv
  UV=(python3 -m uv)
fi
# The interpreter itself, not a launcher in front of it (pyenv's shim is a script): given the shim, uv
# cannot match it to the environment's interpreter and replaces the whole .venv on every run.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
"${UV[@]}" sync --frozen --compile-bytecode --python "$PYTHON"
# The editable project is not under site-packages, so uv leaves it alone; a source edited later
# is simply recompiled in memory (Python checks each .pyc against its source's mtime and size).
.venv/bin/python -m compileall -q -j 0 src
