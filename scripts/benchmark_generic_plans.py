"""Would prepared statements' generic plans hurt? Every parameterised SELECT of the hot pages, custom plan against
generic plan, on the national data set.

    createdb -h 127.0.0.1 -U postgres -T jr_national jr_<name>
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jr_<name> DEBUG=1 TWO_FACTOR_REQUIRED=0
    python scripts/benchmark_generic_plans.py [--gemeente largest|smallest] [--only toetswachtrij,...] [--sql]

With psycopg's prepared statements (Django's OPTIONS server_side_binding and prepare_threshold) a query that ran
prepare_threshold times on a connection becomes a named prepared statement; PostgreSQL then plans it with the
parameter values for five executions (custom plans) and from then on may keep one generic plan, made without the
values. That skips the planning (most of the saving), but a generic plan cannot use a partial index whose
predicate is a parameter (`status = $1` for the pending requests' index) nor size a date range or a gemeente.

Per query, read from the pages as the benchmark users of scripts/benchmark_pages_national.py (created there, in
the database given: never jr_national itself): EXPLAIN (ANALYZE, BUFFERS) of the statement with
plan_cache_mode force_custom_plan, then force_generic_plan, then what `auto` (PostgreSQL's default) settles on
after six executions with the same values (its buffers tell which plan it kept). A query whose generic plan
reads far more is marked. Run it with the app's own prepared statements off (the default): it prepares its own
statement `q` by SQL.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings_test")

import django  # noqa: E402

django.setup()

from benchmark_pages_national import bench_user, largest_household_child  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from psycopg import sql as psql  # noqa: E402

from cases.models import Gemeente, Role  # noqa: E402


def page_queries(gemeente, only: list[str]) -> dict[str, tuple[str, list]]:
    """sql -> (page, params) of every parameterised SELECT of a warm request of each page."""
    child, _ = largest_household_child(gemeente)
    pages = [
        ("toetswachtrij", Role.TOETS, reverse("cases:extension_queue")),
        ("dossier", Role.TOEGANG, reverse("cases:child_detail", args=[child.pk])),
        ("huishouden", Role.TOEGANG, reverse("cases:household_detail", args=[child.household_id])),
        ("zoeken", Role.TOEGANG, reverse("cases:search")),
        ("Top 32", Role.REGISSEUR, reverse("regie:queue")),
        ("werk regisseur", Role.REGISSEUR, reverse("werk:mine")),
        ("patronen", Role.REGISSEUR, reverse("regie:patterns")),
        ("verblijf", Role.REGISSEUR, reverse("regie:residential")),
        ("kpi", Role.BELEID, reverse("reports:dashboard")),
    ]
    captured = {}
    for page, role, url in pages:
        if only and page not in only:
            continue

        def grab(execute, sql, params, many, context, page=page):
            if sql.lstrip().upper().startswith("SELECT") and params and not many:
                captured.setdefault(sql, (page, list(params)))
            return execute(sql, params, many, context)

        client = Client(SERVER_NAME="localhost")
        client.force_login(bench_user(role, gemeente))
        if page == "zoeken":
            client.post(url, {"q": "Achternaam16"})
        client.get(url)
        with connection.execute_wrapper(grab):
            assert client.get(url).status_code == 200
    return captured


def run(raw, statement: str):
    with raw.cursor() as cursor:
        cursor.execute(statement, prepare=False)
        return cursor.fetchall() if cursor.description else None


def explain(raw, args: str) -> tuple[float, int, str]:
    """Execution ms, shared buffers of the top node, and the plan as text (what `auto` chose shows in its
    buffers: a generic plan's $n cannot be told from an InitPlan's $0 in the text)."""
    plan = run(raw, f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE q({args})")[0][0][0]
    top = plan["Plan"]
    return plan["Execution Time"], top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0), json.dumps(top)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gemeente", choices=["largest", "smallest"], default="largest")
    parser.add_argument("--only", default="", help="comma-separated page labels")
    parser.add_argument("--sql", action="store_true", help="print the whole SQL and values of a marked query")
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "PostgreSQL only"
    by_size = Gemeente.objects.annotate(n=Count("children")).filter(n__gt=0).order_by("n")
    gemeente = by_size.last() if args.gemeente == "largest" else by_size.first()
    captured = page_queries(gemeente, [w for w in args.only.split(",") if w])
    connection.ensure_connection()
    raw = connection.connection
    print(
        f"{gemeente.name} ({gemeente.n:,} children): {len(captured)} parameterised SELECTs, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    columns = ("custom ms", "buffers", "generic ms", "buffers", "auto ms", "buffers")
    print(f"  {'page':15} " + " ".join(f"{c:>10}" for c in columns))
    marked = 0
    for sql, (page, params) in captured.items():
        parts = sql.split("%s")
        body = "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]
        body = body.replace("%%", "%")
        values = psql.SQL(", ").join(psql.Literal(p) for p in params).as_string(raw)
        try:
            run(raw, "DEALLOCATE ALL")
            run(raw, "PREPARE q AS " + body)
            result = {}
            for mode in ("force_custom_plan", "force_generic_plan"):
                run(raw, f"SET plan_cache_mode = {mode}")
                explain(raw, values)  # the buffers warm
                result[mode] = explain(raw, values)
            run(raw, "RESET plan_cache_mode")
            run(raw, "DEALLOCATE q")
            run(raw, "PREPARE q AS " + body)
            for _ in range(6):
                run(raw, f"EXECUTE q({values})")
            auto_ms, auto_buffers, _ = explain(raw, values)
        finally:
            run(raw, "RESET plan_cache_mode")
        custom, generic = result["force_custom_plan"], result["force_generic_plan"]
        worse = generic[0] > 1.5 * custom[0] + 1 or generic[1] > 2 * custom[1] + 100
        marked += worse
        print(
            f"  {page:15} {custom[0]:10.2f} {custom[1]:10d} {generic[0]:10.2f} {generic[1]:10d} "
            f"{auto_ms:10.2f} {auto_buffers:10d}"
            f"{'  <- generic worse' if worse else ''}  {sql[:60]}"
        )
        if worse and args.sql:
            print(f"      {sql}\n      {params}")
    print(f"{marked} of {len(captured)} queries read more or take longer with a generic plan")


if __name__ == "__main__":
    main()
