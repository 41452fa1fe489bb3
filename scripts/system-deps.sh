#!/usr/bin/env bash
# System packages the tests need: Debian's chromium (driven by Playwright, never a downloaded browser),
# CJK fonts so screenshots show Chinese, gettext for the translations, and redis-server for the test of
# two app processes sharing one queue. Installs what is missing
# with apt-get when it can, and says clearly what to do when it cannot.
set -euo pipefail
wanted=("$@")
if [ ${#wanted[@]} -eq 0 ]; then wanted=(chromium fonts-noto-cjk gettext redis-server); fi
missing=()
for pkg in "${wanted[@]}"; do
  case "$pkg" in
    chromium) command -v chromium >/dev/null 2>&1 || missing+=(chromium) ;;
    gettext) command -v msgfmt >/dev/null 2>&1 || missing+=(gettext) ;;
    redis-server) command -v redis-server >/dev/null 2>&1 || missing+=(redis-server) ;;
    *) dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg") ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "缺少系统软件包 / missing system packages: ${missing[*]}" >&2
  echo "Install them with your package manager (Debian/Ubuntu: apt-get install ${missing[*]})." >&2
  exit 1
fi
