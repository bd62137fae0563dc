"""Rehearse the app split (issue 9) as an operator would, on PostgreSQL.

    .venv/bin/python scripts/rehearse_app_split.py [--old-ref 422af38] [--db jr_rehearsal] [--drop-db]

1. checks out the old code (before the move; default 422af38) into a temporary git worktree;
2. creates a fresh database (dropped first if it exists), migrates it, builds the demo and evaluates
   the flags, all with the OLD code; then adds what production has and the demo does not (unless
   --demo-only): a row in every moved table, admin log entries and a group with permissions on
   moved models (on Proefdorp, 9902, so the Top 32 and KPIs of 9901 stay the demo's);
3. records every table's exact row count, the content types and their permissions, the admin log as
   the code reads it (with its admin pages), the schema, the Top 32 (JSON) and last complete
   month's KPI report (JSON);
4. migrates the same database with the NEW code (this checkout) and records the same, plus
   `showmigrations`, `makemigrations --check` and `migrate --check`; compares the models with the
   database (a database created straight from the models, old and new: the move may add no
   difference); then (unless --no-rollback) migrates back to the old code's last cases migration,
   records with the old code, tries content types made by the new code before `migrate` on a copy,
   and migrates forward again;
5. compares and exits 1 on any difference in rows, Top 32, KPI, content types, permissions, admin
   log, schema or rollback;
6. removes the temporary worktree; the database stays for inspection unless --drop-db.

"Today" is fixed once at the start (or by --today): the Top 32 is computed for that day and the KPI
report for the month before it, in both runs, so a run across midnight or a month boundary still
compares like with like.
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parent.parent

# Run inside `manage.py shell -c`: the Top 32 and the KPI report through the management commands
# (old: cases; new: regie and reports), with timezone.localdate() fixed to the rehearsal's day.
CAPTURE = """
import datetime as dt, io, json
from unittest import mock
from django.core.management import call_command, get_commands
from django.utils import timezone

today = dt.date.fromisoformat({today!r})
real_localdate = timezone.localdate


def localdate(value=None, timezone=None):
    return today if value is None else real_localdate(value, timezone)


result = {{"apps": {{name: get_commands()[name] for name in ("top_cases", "kpi_report")}}}}
with mock.patch("django.utils.timezone.localdate", localdate):
    out = io.StringIO()
    call_command("top_cases", gemeente={gemeente!r}, limit=32, format="json", stdout=out)
    result["top"] = json.loads(out.getvalue())
    out = io.StringIO()
    call_command("kpi_report", gemeente={gemeente!r}, month={month!r}, format="json", stdout=out)
    result["kpi"] = json.loads(out.getvalue())
print("@@CAPTURE@@" + json.dumps(result))
"""

# Run inside `manage.py shell -c` against an empty database: create every table straight from the
# models (what the migrations' state says the database looks like), without the migrations.
CREATE_FROM_MODELS = """
from django.apps import apps
from django.db import connection

with connection.schema_editor() as editor:
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            editor.create_model(model)
"""


# Run inside `manage.py shell -c` with the OLD code after the demo: what production has and the demo
# does not, a row in every moved table (on Proefdorp, 9902, so the Top 32 and the KPIs of 9901 stay the
# demo's), admin log entries and a group with permissions on moved models.
SAMPLES = """
import datetime as dt
from decimal import Decimal
from django.apps import apps
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

def get(name):
    return apps.get_model("cases", name)

now = timezone.now()
proefdorp = get("Gemeente").objects.get(code="9902")
User = get("User")
admin = User.objects.create_user(
    "rehearsal-admin", "rehearsal@example.org", "rehearsal-admin-pw", role="beheer", is_staff=True, is_superuser=True
)
admin.gemeenten.add(proefdorp)
child = get("ChildScore").objects.filter(gemeente=proefdorp).order_by("-score", "child").first().child
trajectory = get("Trajectory").objects.filter(child=child).order_by("pk").first()
referral = apps.get_model("referrals", "Referral").objects.filter(child=child).order_by("pk").first()
rule = get("FlagRule").objects.filter(gemeente=proefdorp).order_by("code").first()
rule._change_reason = "rehearsal"
rule.save()
settings = get("RegieSettings").objects.create(gemeente=proefdorp, top_n=32, cost_jump_percent=10)
decision = get("Decision").objects.create(
    child=child, gemeente=proefdorp, decided_by=admin, kind="continue", reason="Repetitie app-splitsing",
    follow_up_date=now.date() + dt.timedelta(days=30), actor="regisseur", decided_at=now,
    cost_at_decision=Decimal("0"), flag_codes="duur",
)
subscription = get("ReportSubscription").objects.create(gemeente=proefdorp, user=admin)
delivery = get("ReportDelivery").objects.create(
    gemeente=proefdorp, month=now.date().replace(day=1), recipient=admin, email=admin.email, status="sent",
    attempts=1, sent_at=now,
)
run = get("ImportRun").objects.create(kind="ijw", file_name="repetitie.xml", status="done", started_by=admin)
allocation = get("IjwAllocation").objects.create(
    trajectory=trajectory, allocation_number="REH0000001", provider_reference="REH-1", allocated_at=now,
    allocation_start=trajectory.start_date,
)
ijw_referral = get("IjwReferral").objects.create(
    provider=trajectory.provider, referral=referral, provider_reference="REH-2"
)
pending = get("IjwPendingMessage").objects.create(
    kind="JW315", gemeente=proefdorp, allocation_number="REH0000003", bsn_digest="0" * 64,
    payload={"repetitie": True}, content_digest="f" * 64, file_name="repetitie.xml", received_in=run,
)
for obj, flag in ((rule, CHANGE), (settings, ADDITION), (decision, ADDITION), (subscription, ADDITION),
                  (delivery, CHANGE), (run, CHANGE), (allocation, CHANGE), (ijw_referral, CHANGE),
                  (pending, CHANGE)):
    LogEntry.objects.create(
        user=admin, content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk),
        object_repr=str(obj)[:200], action_flag=flag, change_message="Repetitie app-splitsing",
    )
group = Group.objects.create(name="Repetitie regie")
group.permissions.set(Permission.objects.filter(content_type__app_label="cases", codename__in=[
    "change_flagrule", "view_flagrule", "change_regiesettings", "view_decision", "view_reportsubscription",
    "view_reportdelivery", "view_importrun", "view_ijwallocation", "view_historicaldecision",
]))
User.objects.get(username="regisseur").groups.add(group)
print("samples: 9 moved models, 9 admin log entries, group 'Repetitie regie' with 9 permissions")
"""

# Run inside `manage.py shell -c` with either code: what the admin log, the permissions and the
# history of the moved models look like to that code (admin pages as rehearsal-admin). Rolled back:
# the login writes a session and last_login, and the row counts are compared.
READ_BACK = """
import json
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

atomic = transaction.atomic()
atomic.__enter__()
User = get_user_model()
client = Client(HTTP_HOST="localhost")
client.force_login(User.objects.get(username="rehearsal-admin"))
entries = []
for entry in LogEntry.objects.order_by("pk"):
    obj = entry.get_edited_object()
    meta = type(obj)._meta
    try:
        change = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])).status_code
        page = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[obj.pk]))
        history = page.status_code, "Repetitie app-splitsing" in page.content.decode()
    except NoReverseMatch:
        change, history = "not in admin", None
    entries.append({
        "content_type": f"{entry.content_type.app_label}.{entry.content_type.model}",
        "object": f"{meta.label}#{obj.pk}",
        "history_rows": type(obj).history.filter(id=obj.pk).count() if hasattr(type(obj), "history") else None,
        "admin_change_page": change,
        "admin_history_page_shows_entry": history,
    })
regisseur = User.objects.get(username="regisseur")
transaction.set_rollback(True)
atomic.__exit__(None, None, None)
print("@@READ_BACK@@" + json.dumps({"log": entries, "perms": sorted(regisseur.get_all_permissions())}))
"""

# Run inside `manage.py shell -c` with the NEW code on a database the move has not reached yet: the
# new code serving a page before `migrate` makes content types for the moved models under their new
# app labels (get_for_model), and an admin log entry on one.
EARLY = """
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

made = [
    ContentType.objects.get_for_model(model)
    for label in ("regie", "reports", "imports")
    for model in apps.get_app_config(label).get_models()
]
rule = apps.get_model("regie", "FlagRule").objects.order_by("pk").first()
LogEntry.objects.create(
    user=get_user_model().objects.get(username="beheer"), content_type=ContentType.objects.get_for_model(rule),
    object_id=str(rule.pk), object_repr=str(rule)[:200], action_flag=CHANGE, change_message="Voor migrate",
)
print(f"content types made by the new code before migrate: {len(made)}, and one admin log entry")
"""


def log(text=""):
    print(text, flush=True)


def run(args, *, cwd, env=None, check=True, quiet=False):
    """Run a command; print its output unless quiet; return (returncode, stdout)."""
    started = time.monotonic()
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    shown = " ".join(str(arg) for arg in args[1:] if "\n" not in str(arg)) if args[0] == sys.executable else ""
    if not quiet:
        log(f"$ {shown or ' '.join(map(str, args))}   [{elapsed:.1f} s, exit {proc.returncode}]")
        for line in (proc.stdout + proc.stderr).splitlines():
            log(f"    {line}")
    if check and proc.returncode != 0:
        if quiet:
            log(proc.stdout + proc.stderr)
        raise SystemExit(f"FAILED: {' '.join(map(str, args))} (exit {proc.returncode})")
    return proc.returncode, proc.stdout


def manage(code_dir, db_url, *args, **kwargs):
    if args[0] == "shell":
        args = ("shell", "--no-imports", *args[1:])  # Django 5.2's automatic imports only add noise
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "jeugdregie.settings_test"}
    return run([sys.executable, "manage.py", *args], cwd=code_dir, env=env, **kwargs)


def recreate_database(server_url, name):
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(server_url, name):
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def schema(conn, *, skip=("django_migrations",)):
    """Tables, columns, indexes and constraints of the public schema, as comparable sets."""
    tables = {
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
    } - set(skip)
    columns = {
        row
        for row in conn.execute(
            "SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision, "
            "numeric_scale, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public'"
        )
        if row[0] in tables
    }
    indexes = {
        row
        for row in conn.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        if row[0] in tables
    }
    constraints = {
        row
        for row in conn.execute(
            "SELECT rel.relname, con.conname, con.contype, pg_get_constraintdef(con.oid) FROM pg_constraint con "
            "JOIN pg_class rel ON rel.oid = con.conrelid JOIN pg_namespace ns ON ns.oid = rel.relnamespace "
            "WHERE ns.nspname = 'public'"
        )
        if row[0] in tables
    }
    return {"tables": tables, "columns": columns, "indexes": indexes, "constraints": constraints}


def snapshot(db_url, code_dir, *, today, month, gemeente, samples):
    """What the operator compares: the database's facts, and the Top 32 and KPI through the code."""
    with psycopg.connect(db_url) as conn:
        tables = sorted(
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        )
        rows = {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
        content_types = {
            ct_id: (app, model)
            for ct_id, app, model in conn.execute("SELECT id, app_label, model FROM django_content_type")
        }
        permissions = {}
        for ct_id, codename in conn.execute("SELECT content_type_id, codename FROM auth_permission"):
            permissions.setdefault(ct_id, []).append(codename)
        permission_ids = sorted(
            row for row in conn.execute("SELECT id, content_type_id, codename FROM auth_permission")
        )
        migrations = conn.execute("SELECT app, count(*) FROM django_migrations GROUP BY app ORDER BY app").fetchall()
        db_schema = schema(conn)
    _, out = manage(
        code_dir,
        db_url,
        "shell",
        "-c",
        CAPTURE.format(today=today.isoformat(), month=month, gemeente=gemeente),
        quiet=True,
    )
    captured = json.loads(out.split("@@CAPTURE@@", 1)[1])
    if samples:
        _, out = manage(code_dir, db_url, "shell", "-c", READ_BACK, quiet=True)
        captured.update(json.loads(out.split("@@READ_BACK@@", 1)[1]))
    return {
        "rows": rows,
        "content_types": content_types,
        "permissions": {ct: sorted(codes) for ct, codes in permissions.items()},
        "permission_ids": permission_ids,
        "migrations": migrations,
        "schema": db_schema,
        **captured,
    }


def differences(left, right):
    """The parts of two snapshots that differ."""
    return [key for key in sorted(set(left) | set(right)) if left.get(key) != right.get(key)]


# Schema changes that migrations after the move make on purpose: (table, index or constraint name).
INTENDED_SCHEMA_CHANGES = {
    # cases 0010: one pending extension request per trajectory (two quick clicks made two).
    ("cases_extension", "extension_one_pending_per_trajectory"),
}


def compare_schema(label, left, right, left_name, right_name, *, expect_same=True):
    """Print the differences between two schema() results and return them (empty: the same)."""
    differences = set()
    for part in ("tables", "columns", "indexes", "constraints"):
        differences |= {(part, left_name, row) for row in left[part] - right[part]}
        differences |= {(part, right_name, row) for row in right[part] - left[part]}
    counts = ", ".join(f"{len(right[part])} {part}" for part in ("tables", "columns", "indexes", "constraints"))
    if expect_same:
        log(f"{label}: {'identical' if not differences else 'DIFFERENT'} ({counts})")
    else:
        log(f"{label}: {len(differences)} differences ({counts})")
    for part, side, row in sorted(differences, key=str):
        log(f"    {part}: only in {side}: {row}")
    return differences


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old-ref", default="422af38", help="the code before the move (default 422af38)")
    parser.add_argument("--db", default="jr_rehearsal", help="database to (re)create (default jr_rehearsal)")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--drop-db", action="store_true", help="drop the database(s) at the end")
    parser.add_argument("--gemeente", default="9901")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today(), help="YYYY-MM-DD")
    parser.add_argument(
        "--demo-only",
        action="store_true",
        help="only the demo: no sample rows in the moved tables, admin log entries or group permissions",
    )
    parser.add_argument(
        "--no-rollback", action="store_true", help="skip migrating back to the old code's last migration and forward"
    )
    parser.add_argument("--keep-worktree", action="store_true", help="leave the old code's worktree in place")
    options = parser.parse_args()

    today = options.today
    month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    db_url = f"{options.server}/{options.db}"
    models_db = f"{options.db}_models"
    models_db_url = f"{options.server}/{models_db}"
    started = time.monotonic()
    timings = {}

    new_head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    old_head = subprocess.run(
        ["git", "rev-parse", "--short", f"{options.old_ref}^{{commit}}"], cwd=REPO, capture_output=True, text=True
    )
    if old_head.returncode != 0:
        raise SystemExit(f"Unknown --old-ref {options.old_ref}")
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    log(f"Rehearsal of the app split on PostgreSQL database {options.db}, {dt.datetime.now():%Y-%m-%d %H:%M:%S}")
    log(f"old code: {old_head.stdout.strip()} (temporary worktree)   new code: {new_head.stdout.strip()} ({REPO})")
    if dirty.strip():
        log(f"note: the new code's checkout has uncommitted changes:\n{dirty.rstrip()}")
    log(f"today fixed at {today}; Top 32 of gemeente {options.gemeente}; KPI report for {month}")

    old_dir = Path(tempfile.mkdtemp(prefix="jr-rehearsal-old-"))
    old_dir.rmdir()
    run(["git", "worktree", "add", "--detach", str(old_dir), options.old_ref], cwd=REPO)
    try:
        log("\n== 1. Old code: fresh database, migrate, demo, flags")
        mark = time.monotonic()
        recreate_database(options.server, options.db)
        manage(old_dir, db_url, "migrate", "--noinput", quiet=True)
        log("migrate (old code): done")
        manage(old_dir, db_url, "demo_data")
        manage(old_dir, db_url, "evaluate_flags")
        if not options.demo_only:
            log("sample rows the demo does not make (old code, on Proefdorp 9902):")
            manage(old_dir, db_url, "shell", "-c", SAMPLES)
        timings["old code: migrate + demo + flags"] = time.monotonic() - mark
        mark = time.monotonic()
        before = snapshot(
            db_url, old_dir, today=today, month=month, gemeente=options.gemeente, samples=not options.demo_only
        )
        log("old model state vs the database (tables created straight from the old models):")
        recreate_database(options.server, models_db)
        manage(old_dir, models_db_url, "shell", "-c", CREATE_FROM_MODELS, quiet=True)
        with psycopg.connect(models_db_url) as conn:
            old_models_schema = schema(conn)
        old_drift = compare_schema(
            "  old models vs database (old code)",
            old_models_schema,
            before["schema"],
            "models",
            "database",
            expect_same=False,
        )
        timings["old code: record"] = time.monotonic() - mark

        log("\n== 2. New code: migrate the same database")
        mark = time.monotonic()
        manage(REPO, db_url, "migrate", "--noinput")
        timings["new code: migrate"] = time.monotonic() - mark
        mark = time.monotonic()
        after = snapshot(
            db_url, REPO, today=today, month=month, gemeente=options.gemeente, samples=not options.demo_only
        )
        _, shown = manage(REPO, db_url, "showmigrations", quiet=True)
        unapplied = [line.strip() for line in shown.splitlines() if line.strip().startswith("[ ]")]
        per_app, app = {}, None
        for line in shown.splitlines():
            if line.startswith(" "):
                per_app[app].append(line.strip())
            elif line:
                app = line
                per_app[app] = []
        log(f"showmigrations: {len(unapplied)} unapplied" + (f": {', '.join(unapplied)}" if unapplied else ""))
        for app in ("cases", "referrals", "regie", "reports", "imports"):
            log(f"    {app}: {len(per_app.get(app, []))} migrations, last {(per_app.get(app) or ['(none)'])[-1]}")
        makemigrations_rc, _ = manage(REPO, db_url, "makemigrations", "--check", "--dry-run", check=False)
        migrate_check_rc, _ = manage(REPO, db_url, "migrate", "--check", check=False, quiet=True)
        log(f"migrate --check: exit {migrate_check_rc}")
        log("new model state vs the database (tables created straight from the new models):")
        recreate_database(options.server, models_db)
        manage(REPO, models_db_url, "shell", "-c", CREATE_FROM_MODELS, quiet=True)
        with psycopg.connect(models_db_url) as conn:
            new_models_schema = schema(conn)
        new_drift = compare_schema(
            "  new models vs database (new code)",
            new_models_schema,
            after["schema"],
            "models",
            "database",
            expect_same=False,
        )
        timings["new code: record and checks"] = time.monotonic() - mark

        rollback = []
        if not options.no_rollback:
            last_old = sorted(path.stem for path in (old_dir / "cases" / "migrations").glob("0*.py"))[-1]
            log(f"\n== 3. Rollback: the new code migrates back to cases {last_old}; the old code reads it")
            mark = time.monotonic()
            manage(REPO, db_url, "migrate", "cases", last_old, "--noinput")
            rolled_back = snapshot(
                db_url, old_dir, today=today, month=month, gemeente=options.gemeente, samples=not options.demo_only
            )
            rollback.append(("rolled back (old code) vs before", differences(before, rolled_back)))
            early_db = f"{options.db}_early"
            early_url = f"{options.server}/{early_db}"
            log(f"new code before `migrate` (on a copy, {early_db}): content types made early, then migrate:")
            with psycopg.connect(f"{options.server}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{early_db}"')
                conn.execute(f'CREATE DATABASE "{early_db}" TEMPLATE "{options.db}"')
            try:
                manage(REPO, early_url, "shell", "-c", EARLY)
                early_rc, _ = manage(REPO, early_url, "migrate", "--noinput", check=False)
                early_ok = early_rc == 0
                if early_ok:
                    with psycopg.connect(early_url) as conn:
                        cts = {
                            i: (a, m)
                            for i, a, m in conn.execute("SELECT id, app_label, model FROM django_content_type")
                        }
                        entry_ct = conn.execute(
                            "SELECT content_type_id FROM django_admin_log WHERE change_message = 'Voor migrate'"
                        ).fetchone()[0]
                        perms = sorted(conn.execute("SELECT id, content_type_id, codename FROM auth_permission"))
                    early_ok = cts == after["content_types"] and perms == after["permission_ids"]
                    early_ok = early_ok and cts.get(entry_ct) == ("regie", "flagrule")
                    log(
                        f"  content types and permissions {'as after the plain migrate' if early_ok else 'DIFFERENT'}; "
                        f"the early admin log entry points at {'.'.join(cts.get(entry_ct, ('?', '?')))} (id {entry_ct})"
                    )
                rollback.append(("content types made early + migrate vs after", [] if early_ok else ["content types"]))
            finally:
                drop_database(options.server, early_db)
            log("and forward again with the new code:")
            manage(REPO, db_url, "migrate", "--noinput")
            again = snapshot(
                db_url, REPO, today=today, month=month, gemeente=options.gemeente, samples=not options.demo_only
            )
            rollback.append(("forward again (new code) vs after", differences(after, again)))
            timings["rollback and forward again"] = time.monotonic() - mark
    finally:
        if options.keep_worktree:
            log(f"\nold code's worktree kept at {old_dir}")
        else:
            run(["git", "worktree", "remove", "--force", str(old_dir)], cwd=REPO, check=False, quiet=True)
            shutil.rmtree(old_dir, ignore_errors=True)
            run(["git", "worktree", "prune"], cwd=REPO, check=False, quiet=True)

    log("\n== 4. Before (old code) and after (new code)")
    failures = []
    tables = sorted(set(before["rows"]) | set(after["rows"]))
    width = max(len(table) for table in tables)
    log(f"{'table':<{width}}  {'before':>9}  {'after':>9}")
    for table in tables:
        old, new = before["rows"].get(table, "-"), after["rows"].get(table, "-")
        expected = table == "django_migrations"  # the move's own migrations are recorded
        mark = "" if old == new else ("  (the move's migrations)" if expected else "  DIFFERENT")
        if old != new and not expected:
            failures.append(f"rows of {table}")
        log(f"{table:<{width}}  {old:>9}  {new:>9}{mark}")
    data_tables = [table for table in tables if table != "django_migrations"]
    total_before = sum(before["rows"].get(table, 0) for table in data_tables)
    total_after = sum(after["rows"].get(table, 0) for table in data_tables)
    log(f"{'total (without django_migrations)':<{width}}  {total_before:>9}  {total_after:>9}")
    log(f"django_migrations per app after: {', '.join(f'{app} {count}' for app, count in after['migrations'])}")
    same_rows = all(before["rows"].get(t) == after["rows"].get(t) for t in data_tables)
    log(f"row counts: {'identical' if same_rows else 'DIFFERENT'} ({len(data_tables)} tables compared)")

    log(f"\ncommands: before {before['apps']}, after {after['apps']}")
    for key, label in (("top", f"Top 32 of {options.gemeente} (JSON)"), ("kpi", f"KPI {month} (JSON)")):
        same = before[key] == after[key]
        size = len(before[key]) if key == "top" else len(json.dumps(before[key]))
        unit = "cases" if key == "top" else "characters"
        digest = hashlib.sha256(json.dumps(before[key], sort_keys=True).encode()).hexdigest()[:16]
        log(f"{label}: {'identical' if same else 'DIFFERENT'} ({size} {unit}, sha256 {digest}...)")
        if not same:
            failures.append(label)
    log(
        "    Top 32 (rank case score flags), before = after:" if before["top"] == after["top"] else "    Top 32 before:"
    )
    for row in before["top"]:
        log(f"      {row['rank']:>2} {row['case_number']} {row['score']:>8} {' '.join(row['flags'])}")
    figures = before["kpi"].get("figuren", [])
    log(f"    KPI {month}: {len(figures)} figures, e.g.:")
    for figure in figures[:6]:
        log(f"      {figure['sleutel']:<34} {figure['waarde']!s:>14} (previous month {figure['vorige_maand']})")
    log("\ncontent types (id: before -> after):")
    changed = {
        ct: (before["content_types"].get(ct), after["content_types"].get(ct))
        for ct in sorted(set(before["content_types"]) | set(after["content_types"]))
        if before["content_types"].get(ct) != after["content_types"].get(ct)
    }
    for ct, (old, new) in changed.items():
        old_label = ".".join(old) if old else "(none)"
        new_label = ".".join(new) if new else "(none)"
        ok = old and new and old[1] == new[1] and old[0] == "cases" and new[0] in ("regie", "reports", "imports")
        perms_same = before["permissions"].get(ct) == after["permissions"].get(ct)
        log(
            f"    {ct:>3}: {old_label:<36} -> {new_label:<38} permissions "
            f"{len(before['permissions'].get(ct, []))} -> {len(after['permissions'].get(ct, []))}"
            f"{'' if ok and perms_same else '  UNEXPECTED'}"
        )
        if not (ok and perms_same):
            failures.append(f"content type {ct}")
    unchanged = len(set(before["content_types"]) & set(after["content_types"])) - len(
        [ct for ct in changed if ct in before["content_types"] and ct in after["content_types"]]
    )
    log(f"    {len(changed)} moved, {unchanged} unchanged, {len(after['content_types'])} in all after")
    stale = [f"{app}.{model}" for app, model in after["content_types"].values() if app == "cases"]
    log(f"    cases content types left: {len(stale)}")
    same_permissions = before["permission_ids"] == after["permission_ids"]
    log(
        f"permissions (id, content type, codename): {'identical' if same_permissions else 'DIFFERENT'} "
        f"({len(after['permission_ids'])})"
    )
    if not same_permissions:
        failures.append("permissions")
    log(f"django_admin_log: {before['rows'].get('django_admin_log')} -> {after['rows'].get('django_admin_log')}")

    if not options.demo_only:
        new_app = {model: app for app, model in after["content_types"].values()}
        log("\nadmin log entries as each code reads them (content type, object, its history rows, admin pages):")
        if len(before["log"]) != len(after["log"]):
            failures.append("admin log entries")
        for old, new in zip(before["log"], after["log"], strict=False):
            model = old["content_type"].split(".", 1)[1]
            # The same entry, object, history and admin pages: only the app label moved.
            ok = (
                new["content_type"] == f"{new_app[model]}.{model}"
                and new["object"] == f"{new_app[model]}.{old['object'].split('.', 1)[1]}"
                and new["history_rows"] == old["history_rows"]
                and new["admin_change_page"] == old["admin_change_page"]
                and new["admin_history_page_shows_entry"] == old["admin_history_page_shows_entry"]
            )
            if not ok:
                failures.append(f"admin log entry {old['object']}")
            for label, entry in (("before", old), ("after ", new)):
                log(
                    f"    {label} {entry['content_type']:<30} {entry['object']:<30} history {entry['history_rows']}, "
                    f"change page {entry['admin_change_page']}, history page {entry['admin_history_page_shows_entry']}"
                )
            if not ok:
                log("    DIFFERENT")
        moved = {f"{app}.{code}" for app, _, code in (p.partition(".") for p in after["perms"])}
        expected = sorted(
            f"{new_app[code.split('_', 1)[1]]}.{code}" for code in (p.split(".", 1)[1] for p in before["perms"])
        )
        same = sorted(moved) == expected
        log(f"regisseur's permissions (group 'Repetitie regie'): {'as expected' if same else 'DIFFERENT'}")
        log(f"    before: {', '.join(before['perms'])}")
        log(f"    after:  {', '.join(after['perms'])}")
        if not same:
            failures.append("group permissions")

    log("")
    schema_changes = compare_schema(
        "database schema before vs after migrate", before["schema"], after["schema"], "before", "after"
    )
    unexpected = {change for change in schema_changes if change[2][:2] not in INTENDED_SCHEMA_CHANGES}
    if schema_changes:
        log(
            f"    of which intended by a later migration: {len(schema_changes) - len(unexpected)}, "
            f"unexpected: {len(unexpected)}"
        )
    if unexpected:
        failures.append("database schema")
    # The move may not add a difference between the models and the database the old code did not have.
    added_drift = new_drift - old_drift
    log(
        f"models vs database: {len(old_drift)} differences with the old code, {len(new_drift)} with the new, "
        f"{len(added_drift)} new with the move"
    )
    if added_drift:
        failures.append("new models vs database")
    for label, differing in rollback:
        log(f"{label}: {'identical' if not differing else 'DIFFERENT: ' + ', '.join(differing)}")
        if differing:
            failures.append(label)
    if makemigrations_rc != 0:
        failures.append("makemigrations --check")
    if unapplied or migrate_check_rc != 0:
        failures.append("unapplied migrations")

    if options.drop_db:
        drop_database(options.server, options.db)
        log(f"database {options.db} dropped")
    else:
        log(f"database {options.db} left for inspection (DATABASE_URL={db_url})")
    drop_database(options.server, models_db)

    log("\n== Timings")
    for label, seconds in timings.items():
        log(f"{label:<36} {seconds:6.1f} s")
    log(f"{'total':<36} {time.monotonic() - started:6.1f} s")
    if failures:
        log(f"\nREHEARSAL FAILED: {', '.join(failures)}")
        return 1
    log(
        "\nREHEARSAL PASSED: row counts, Top 32, KPI, content types, permissions, admin log, schema and rollback "
        "as expected."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
