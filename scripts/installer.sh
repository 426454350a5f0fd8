#!/usr/bin/env bash
# Installe tout ce dont Essaim a besoin dans .venv (idempotent).
# Usage : bash scripts/installer.sh [--tests]
#   --tests : ajoute les dépendances de test, tantivy (étalon de `essaim bench --compare`, testé)
#             et le navigateur Chromium (paquets Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""
if [ "${1:-}" = "--tests" ]; then
  extras="[test,bench]"
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".${extras}"
# Compile the package's modules once: an editable install does not, and where
# PYTHONDONTWRITEBYTECODE is set every command would recompile them (~0.2 s each start).
.venv/bin/python -m compileall -q tools/essaim
if [ -n "$extras" ] && [ -f scripts/installer-navigateur.sh ]; then
  bash scripts/installer-navigateur.sh
fi
