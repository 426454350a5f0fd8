#!/usr/bin/env bash
# Installe ce qu'il faut aux tests de navigateur (idempotent, non interactif) :
#   - Chromium de Debian (/usr/bin/chromium) : Playwright ne télécharge jamais son propre navigateur ;
#   - le paquet Python playwright dans .venv ;
#   - axe-core (npm) dans .venv/npm, pour les contrôles d'accessibilité ;
#   - pdftoppm (poppler-utils), pour rendre en PNG les fiches imprimées en PDF.
# Appelé par « bash scripts/installer.sh --tests » ; fonctionne en root sur une Debian neuve (CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
AXE_VERSION="4.10.3"

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null || missing+=(npm)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)  # printed cards rendered to PNG for review
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo_if_needed apt-get update -qq
  sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import playwright" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet "playwright>=1.45"
fi

if [ ! -f .venv/npm/node_modules/axe-core/axe.min.js ]; then
  mkdir -p .venv/npm
  npm install --silent --no-audit --no-fund --prefix .venv/npm "axe-core@${AXE_VERSION}" >/dev/null
fi
