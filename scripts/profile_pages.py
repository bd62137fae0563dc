"""CPU a request of each page in scripts/load_test.py's mix, in the webapp and in PostgreSQL, with a profile.

    DEBUG=0 SECRET_KEY=x DATABASE_URL=postgres://... python scripts/profile_pages.py [--repeat 40] [--profile PAGE]

Runs the production settings (jeugdregie.settings: DEBUG as the environment says, 2FA on) in process
through Django's test client over "https", each demo user logged in and code-confirmed as django-otp
does it (the session names the user's authenticator device, which scripts/load_test.py set up). Per
page: the Python CPU of this process a request (median), the CPU of its PostgreSQL backend (read from /proc, so
only on the database's own machine), the queries and the Python function calls (a count the
neighbours on a shared machine do not disturb). `--profile PAGE` prints cProfile's top functions
of that page (cumulative), to see where the Python time goes. Read-only but for what the pages themselves
write (the inzagelog rows, the session's last-seen time).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeugdregie.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from cases.models import Child, User  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def logged_in(username: str) -> Client:
    user = User.objects.get(username=username)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def pages(children: list[int]):
    """page -> (username, a function that asks it once and returns the response)."""
    toegang, regisseur, toets, beleid = (logged_in(u) for u in ("toegang", "regisseur", "toets", "beleid"))
    state = {"i": 0}

    def dossier():
        state["i"] += 1
        return toegang.get(f"/jeugdigen/{children[state['i'] % len(children)]}/", secure=True)

    def zoeken():
        state["i"] += 1
        return toegang.post(
            "/dossiers/",
            {"q": ["Jansen", "Bakker", "Visser", "Smit"][state["i"] % 4]},
            secure=True,
            headers={"HX-Request": "true"},
        )

    return {
        "dossier": dossier,
        "zoeken": zoeken,
        "top32": lambda: regisseur.get("/regie/", secure=True),
        "toetsing": lambda: toets.get("/toetsing/", secure=True),
        "kpi": lambda: beleid.get("/kpi/", secure=True),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--profile", action="append", default=[], metavar="PAGE")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--only", action="append", default=[], metavar="PAGE", help="these pages only")
    args = parser.parse_args()
    toegang = User.objects.get(username="toegang")
    children = list(Child.objects.visible_to(toegang).order_by("pk").values_list("pk", flat=True)[:400:10])
    with connection.cursor() as cursor:
        cursor.execute("select pg_backend_pid()")
        pid = cursor.fetchone()[0]
    print(f"DEBUG={int(django.conf.settings.DEBUG)}, load {os.getloadavg()[0]:.1f}, {args.repeat} requests a page")
    print(f"  {'page':<10} {'python ms':>10} {'postgres ms':>12} {'queries':>8} {'calls':>10}")
    for page, ask in pages(children).items():
        if args.only and page not in args.only:
            continue
        for _ in range(3):  # warm: templates, caches, the connection
            response = ask()
            assert response.status_code == 200, (page, response.status_code, response.get("Location"))
        queries = []

        def count(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            ask()
        times, db = [], backend_cpu(pid)
        for _ in range(args.repeat):
            started = time.process_time()
            ask()
            times.append(time.process_time() - started)
        db = backend_cpu(pid) - db
        # Python function calls a request: unlike CPU time, not disturbed by the neighbours on the cores.
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(5):
            ask()
        profiler.disable()
        calls = pstats.Stats(profiler).total_calls / 5
        # The median: on a shared machine a few requests pay for a neighbour's cache misses.
        print(
            f"  {page:<10} {statistics.median(times) * 1000:>10.1f} {db / args.repeat * 1000:>12.1f} "
            f"{len(queries):>8} {calls:>10,.0f}",
            flush=True,
        )
        if page in args.profile:
            profiler = cProfile.Profile(time.process_time)  # CPU, not the wait for the database
            profiler.enable()
            for _ in range(args.repeat):
                ask()
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
