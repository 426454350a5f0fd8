#!/usr/bin/env bash
# Commande principale : installe, vérifie les fiches, met à jour l'index de recherche, construit le site
# et le sert sur http://127.0.0.1:8000/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/installer.sh
.venv/bin/essaim validate
.venv/bin/essaim index
.venv/bin/essaim build
exec .venv/bin/essaim serve --port "${PORT:-8000}"
