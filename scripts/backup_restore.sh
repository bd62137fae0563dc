#!/usr/bin/env bash
# Backup and restore of jeugdregie's PostgreSQL database, and its rehearsal (docs/deploy.md).
#
#   scripts/backup_restore.sh backup  FILE            # pg_dump -Fc of $DATABASE_URL into FILE
#   scripts/backup_restore.sh restore FILE NEW_URL    # restore FILE into the empty database NEW_URL
#   scripts/backup_restore.sh rehearse [GEMEENTE]     # dump, restore into a new database, and check that
#                                                     # the app starts on it and shows the same Top 32
#
# Needs pg_dump/pg_restore/createdb of the server's major version, and DATABASE_URL (postgres://…).
# The dump holds every child's file: store it encrypted, with the same access rules as the database.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

backup() {
  pg_dump --format=custom --no-owner --file="$1" "$DATABASE_URL"
  echo "backup: $(du -h "$1" | cut -f1) in $1"
}

restore() {
  # --single-transaction: a restore that fails half-way leaves nothing behind.
  pg_restore --no-owner --exit-on-error --single-transaction --dbname="$2" "$1"
  DATABASE_URL="$2" "$PY" manage.py migrate --check >/dev/null  # schema matches this code
  echo "restore: $1 into ${2%%\?*}"
}

rehearse() {
  local gemeente=${1:-9901} before after
  # Global, not local: the EXIT trap runs after this function has returned.
  dump=$(mktemp --suffix=.dump)
  new_db="jr_restore_$(date +%Y%m%d%H%M%S)"
  new_url="${DATABASE_URL%/*}/${new_db}"
  trap 'rm -f "${dump:-}"; dropdb --if-exists --maintenance-db="$DATABASE_URL" "${new_db:-}" 2>/dev/null || true' EXIT
  before=$("$PY" manage.py top_cases --gemeente "$gemeente" --format csv)
  backup "$dump"
  createdb --maintenance-db="$DATABASE_URL" "$new_db"
  restore "$dump" "$new_url"
  DATABASE_URL="$new_url" "$PY" manage.py check --deploy --fail-level ERROR >/dev/null 2>&1 || { echo "FAIL: the app does not start on the restored database"; exit 1; }
  after=$(DATABASE_URL="$new_url" "$PY" manage.py top_cases --gemeente "$gemeente" --format csv)
  if [ "$before" != "$after" ] || [ -z "$before" ]; then
    echo "FAIL: the Top 32 of $gemeente differs after the restore (or is empty)"
    diff <(echo "$before") <(echo "$after") | head -20
    exit 1
  fi
  echo "rehearsal passed: Top 32 of $gemeente identical after restore ($(echo "$before" | wc -l) lines)"
}

case "${1:-}" in
  backup) backup "$2" ;;
  restore) restore "$2" "$3" ;;
  rehearse) rehearse "${2:-}" ;;
  *) sed -n '2,9p' "$0"; exit 2 ;;
esac
