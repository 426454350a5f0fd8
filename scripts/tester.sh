#!/usr/bin/env bash
# Installe tout (dépendances de test comprises) et lance la suite de tests complète.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/installer.sh --tests
exec .venv/bin/python -m pytest "$@"
