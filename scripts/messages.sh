#!/usr/bin/env bash
# Re-extract translatable strings into the catalogues (run after changing UI text, then translate):
# the project's catalogue in src/shequ/locale, and each app's own <app>/locale where it has one.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-$(command -v shequ >/dev/null && dirname "$(command -v shequ)" || echo .venv/bin)}
SHEQU_DATA_DIR=$(mktemp -d) "$BIN/shequ" catalogues --root src/shequ
