"""gunicorn settings for the webapp: `gunicorn jeugdregie.wsgi` reads this file from the working directory.

Chosen for the 2-core application server of docs/deploy.md and measured with scripts/load_test.py
(docs/benchmarks.md, "Doorvoer onder gunicorn" and "Issue 14: throughput, second round"). A request
here spends most of its time in Python (templates, ORM: ~50 ms of CPU) and a smaller part waiting for
PostgreSQL (~15 ms) on the same or a nearby machine. Python needs one process per core to use both cores
(the GIL lets one thread of a process run Python at a time); a second thread in each process fills the
wait on the database, so a slow request (the first KPI view of a process) does not hold a whole worker
while case files queue behind it. So: gthread workers, one per core plus one (so a core is never idle
while a worker is between requests), two threads each. Measured on the 2 cores shared with other work
(load 6-10, 8 clients, DEBUG=0, one 40 s run each): gunicorn CPU a request 50-57 ms for 3 x 2 (three
runs), 70 for 2 x 4, 69 for 4 x 1, 49 for 2 x 1 (no second thread for a slow request). None beat 3 x 2 by
more than the noise; 2 x 4 and 4 x 1 cost more CPU a request, as more threads on two cores would.
More processes or threads only queue the same CPU work and raise p95; fewer leave a core idle. Every
thread keeps its own database connection (DATABASE_CONN_MAX_AGE), here 6: far below PostgreSQL's 100.

Every value can be overridden from the environment (GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_BIND,
GUNICORN_TIMEOUT) or on the command line, e.g. for a machine with more cores.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", (os.cpu_count() or 1) + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 2))
# A report or an export can take seconds on a large gemeente; a hung worker is replaced after this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
# Idle keep-alive connections from the reverse proxy are held this long (the proxy reuses them).
keepalive = 5
# A worker is replaced after this many requests (with jitter, so not all at once): bounds slow leaks.
max_requests = 2000
max_requests_jitter = 200
# The application is loaded once before the workers fork: shared memory, and a settings error (no
# SECRET_KEY, 2FA off without DEBUG) stops the start instead of every worker failing in turn.
preload_app = True

# Python's cyclic garbage collector, tuned for request work. A request here makes tens of thousands of
# short-lived objects (ORM rows, template nodes), so the default threshold (a collection every 700 new
# objects) runs ~10 young collections a request, ~2 ms of CPU, that find little: nearly everything dies by
# reference counting when the request ends. A collection every 50,000 objects costs ~0.5 ms a request
# (docs/benchmarks.md, "Issue 14, third round"); the objects of the loaded application are frozen once
# after the fork, so the older generations never walk them again.
GC_THRESHOLDS = (50_000, 50, 100)


def post_fork(server, worker):
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
