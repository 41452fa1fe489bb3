#!/usr/bin/env bash
# Re-extract translatable strings into the catalogues (run after changing UI text, then translate).
set -euo pipefail
cd "$(dirname "$0")/../src/shequ"
SHEQU_DATA_DIR=$(mktemp -d) ../../.venv/bin/django-admin makemessages -l zh_Hans -l en \
  --settings=shequ.settings --ignore "tests/*" --no-location -v0
