#!/usr/bin/env bash
# The whole check, as CI runs it: lint and types, migrations up to date, the suite on SQLite,
# then the suite again on a fresh PostgreSQL database. Any failure fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
status=0
step() { echo; echo "=== $*"; }
fail() { echo "FAILED: $*" >&2; status=1; }

export SHEQU_REQUIRE_BROWSER=${SHEQU_REQUIRE_BROWSER:-1}
export SHEQU_SCREENSHOT_DIR=${SHEQU_SCREENSHOT_DIR:-$PWD/test-artifacts/screenshots}

step "ruff"; $BIN/ruff check src tests bench && $BIN/ruff format --check src tests bench || fail ruff
step "mypy"; $BIN/mypy || fail mypy
step "bandit"; $BIN/bandit -q -c pyproject.toml -r src bench || fail bandit
step "migrations are up to date"
SHEQU_DATA_DIR=$(mktemp -d) $BIN/shequ makemigrations --check --dry-run >/dev/null || fail "missing migrations"

# One pytest worker per core (pytest-xdist); the browser tests share one worker and one demo server.
WORKERS=${SHEQU_TEST_WORKERS:-auto}
# Tests run in a random order (pytest-randomly), so that none depends on another having run first;
# a failing order is replayed with the seed printed here.
SEED=${SHEQU_TEST_SEED:-$(( (RANDOM << 15) | RANDOM ))}
echo "Random test order seed: $SEED (replay with SHEQU_TEST_SEED=$SEED bash scripts/test.sh)"
run_pytest() {  # pytest's exit 5 (no tests collected) is a failure too
  $BIN/pytest -n "$WORKERS" --dist loadgroup -p randomly --randomly-seed="$SEED" "$@"; local rc=$?
  [ $rc -eq 5 ] && echo "pytest collected no tests" >&2
  return $rc
}

# Only a vulnerability found fails the run; a vulnerability service out of reach, or one that knows
# nothing of some packages (a mirror), is a warning: the check could not be made, nothing was found.
step "known vulnerabilities (pip-audit)"
if [ ! -x $BIN/pip-audit ]; then
  fail "pip-audit is not installed (pip install -e '.[test]')"
else
  audit=$($BIN/pip-audit --progress-spinner off --skip-editable 2>&1); audit_rc=$?
  echo "$audit"
  if grep -qE "^Found [0-9]+ known vulnerabilit" <<<"$audit"; then
    fail "known vulnerabilities (pip-audit)"
  elif [ $audit_rc -ne 0 ]; then
    echo "WARNING: pip-audit could not check for known vulnerabilities (is the PyPI vulnerability service reachable?)" >&2
  elif grep -q "could not be audited" <<<"$audit"; then
    echo "WARNING: pip-audit could not check $(grep -c "could not be audited" <<<"$audit") packages (unknown to the vulnerability service)" >&2
  fi
fi

step "tests on SQLite"
(unset DATABASE_URL; run_pytest -p no:cacheprovider) || fail "tests on SQLite"

if [ "${SHEQU_TEST_POSTGRES:-1}" != 0 ]; then
  step "tests on PostgreSQL"
  PGURL=${SHEQU_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  if ! $BIN/python -c "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=5).close()" "$PGURL" 2>/dev/null; then
    fail "PostgreSQL is not reachable at $PGURL (set SHEQU_TEST_POSTGRES_URL, or SHEQU_TEST_POSTGRES=0 to skip)"
  else
    name="shequ_ci_$(date +%s)_$$"
    DATABASE_URL="${PGURL%/*}/postgres" SHEQU_TEST_DATABASE_NAME="test_$name" \
      run_pytest -p no:cacheprovider --create-db -m "not browser and not no_database" \
      || fail "tests on PostgreSQL"  # no_database: the same on either leg, run once on SQLite
  fi
fi

# The benchmark at its smallest scale, so the harness cannot rot: it fails on a scenario error, never on a time.
step "benchmark harness (small scale)"
bench_db=""
[ "${SHEQU_TEST_POSTGRES:-1}" != 0 ] && bench_db=${SHEQU_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DATABASE_URL="$bench_db" $BIN/python -m bench --scale small --quick || fail "benchmark harness"

echo
if [ $status -eq 0 ]; then echo "ALL CHECKS PASSED"; else echo "SOME CHECKS FAILED"; fi
exit $status
