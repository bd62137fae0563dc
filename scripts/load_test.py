"""A bounded, loopback-only load test: N clients logged in as demo users, a mixed load for a fixed time.

    python scripts/load_test.py [--url http://127.0.0.1:8000] [--clients 8] [--duration 60] [--requests N]

Against a server with the demo data (`manage.py demo_data`) and its flags, analysed as autovacuum would (run
`VACUUM ANALYZE` on the database first where autovacuum is off or has not come by: unanalysed, every table is
planned as nearly empty and PostgreSQL's CPU a request nearly doubles), run as in production: DEBUG=0,
two-factor authentication on, and BEHIND_PROXY=1 (every request carries `X-Forwarded-Proto: https`, as
the reverse proxy of docs/deploy.md sets it, so the app neither redirects to https nor drops its Secure
cookies). docs/benchmarks.md ("Issue 14: throughput, second round") has the whole command. Python's
standard library only, one thread per client, one keep-alive connection per client and role.

Logging in is what a user does, through the app's own pages: the password form, then the authenticator
code. The first time a demo user has no authenticator yet, so the app shows its setup page; the script
reads the key from that page (the text a user types into an app when scanning fails), computes the
six-digit TOTP code from it (RFC 6238, as django-otp checks it) and confirms it. The key is kept in
--totp-keys (a JSON file, mode 600, by default in the temp directory) for the next run, which then gets
the verify page and answers it with a fresh code. A code is valid once (django-otp refuses a time step
already used), so the file also keeps each user's last step and the script waits for the next 30-second
step when a rerun comes sooner. If the file is lost while the users keep their authenticator, reset their
2FA in the admin (or load the demo data again) and run once more. Against a DEBUG server with
TWO_FACTOR_REQUIRED=0 the code step is simply not asked.

One logged-in, code-confirmed session per demo user, shared by the clients that use that user (as one
person's browser tabs): a time step is valid once, so 8 separate logins of the one regisseur would take
minutes of waiting. Each client still has its own connections; the server's work per request (session,
user, device and axes look-ups) is the same as with a session per client.

Each client uses one session per role it needs (a toegangsmedewerker for case files and search, the
regisseur, the toetser, the beleidsmedewerker), then sends request after request (closed loop, no think
time), each page drawn by WEIGHTS. Case files are the children the search and the Top 32 show. A
request is an error when the answer is not 200 or is the login page. At the end: requests a second,
p50/p95/p99 per page and overall, errors, and this script's own CPU time: on a 2-core machine the
client takes CPU from the server it measures, so its share is printed beside the figures.

On a busy machine requests a second say more about the neighbours than about the server. With
--cpu-of PATTERN (repeatable; a regular expression on the command line of processes, read from /proc)
the CPU time those processes used during the measurement is printed per request, e.g. the gunicorn
workers and the PostgreSQL backends of the database: cores / CPU per request is what the server could
answer on this machine were it alone, whatever else runs. /proc only shows living processes: a database
connection closed during the measurement (DATABASE_CONN_MAX_AGE, 60 s by default) takes its backend's CPU
with it, so run the server with DATABASE_CONN_MAX_AGE=600 for this figure. The warm-up (15 s) lets
every worker render the KPI dashboard once before the measurement starts (into its own memory cache, or
once for all into Redis when the server runs with REDIS_URL, as in production).

Only 127.0.0.1, ::1 or localhost: this is not a tool for somebody else's server. Logins are few and
correct (one per demo user), so django-axes (locking after AXES_FAILURE_LIMIT wrong passwords) never
locks a client out; a failed login or a refused code stops the script before the load starts.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import resource
import statistics
import struct
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PASSWORD = "demo-jeugdregie"  # demo/users.py DEMO_PASSWORD

# page -> (weight in the mix, role whose session asks it). Case files and search are the daily work of
# the toegang; the dashboard is about one request in ten, as in issue 14's measurement.
WEIGHTS = {
    "dossier": (35, "toegang"),
    "zoeken": (20, "toegang"),
    "top32": (15, "regisseur"),
    "toetsing": (20, "toets"),
    "kpi": (10, "beleid"),
}
# role -> demo users (demo/users.py); client i logs in as users[i % len(users)].
USERS = {
    "toegang": ["toegang", "toegang.jansen", "toegang.bakker", "toegang.ozturk"],
    "regisseur": ["regisseur"],
    "toets": ["toets"],
    "beleid": ["beleid"],
}
# Surnames of demo/names.py: each finds a few dozen children of Voorbeeldstad.
SEARCHES = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos"]
CHILD_LINK = re.compile(rb'href="/jeugdigen/(\d+)/"')


TOTP_STEP = 30  # seconds; django-otp's TOTPDevice default, with 6 digits and SHA-1
SECRET = re.compile(rb'<code class="secret">([A-Z2-7 ]+)</code>')
RECOVERY_PAGE = b"herstelcode"


def totp(key_b32: str, step: int) -> str:
    """The six-digit code of an authenticator app for this 30-second step (RFC 6238 / RFC 4226)."""
    key = base64.b32decode(key_b32.replace(" ", ""))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Keys:
    """The demo users' authenticator keys and last used step, per server, in a JSON file only we can read."""

    def __init__(self, path: str, server: str):
        self.path, self.server = path, server
        try:
            with open(path) as f:
                self.all = json.load(f)
        except FileNotFoundError:
            self.all = {}
        self.mine = self.all.setdefault(server, {})

    def code(self, username: str, key: str | None = None) -> str:
        """A code for a step this user has not used yet: a step is valid once (django-otp)."""
        entry = self.mine.setdefault(username, {})
        if key:
            entry["key"], entry["step"] = key, 0
        while True:
            now = time.time()
            step = int(now // TOTP_STEP)
            # Not in a step's last second, so the server checks the code in the same step.
            if step > entry.get("step", 0) and now % TOTP_STEP < TOTP_STEP - 1:
                break
            time.sleep(TOTP_STEP - now % TOTP_STEP + 0.1)
        entry["step"] = step
        self.save()
        return totp(entry["key"], step)

    def key(self, username: str) -> str | None:
        return self.mine.get(username, {}).get("key")

    def save(self) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(self.all, f, indent=1)


class Session:
    """One logged-in user over one keep-alive connection, with its cookies."""

    def __init__(self, host: str, port: int, cookies: dict | None = None):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = dict(cookies or {})
        self.conn = http.client.HTTPConnection(host, port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        # As the reverse proxy that ends TLS (docs/deploy.md); a server with BEHIND_PROXY=1 trusts it.
        headers = {"X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # Django checks the Referer of a POST over https: the same origin as the page's form.
            headers.setdefault("Referer", f"https://{self.host}:{self.port}{path}")
        for attempt in (1, 2):  # a keep-alive connection the server closed is opened once more
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, urlsplit(response.getheader("Location") or "").path, content

    def post_form(self, path: str, fields: dict):
        return self.request("POST", path, {**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})

    def login(self, username: str, password: str, keys: Keys) -> None:
        """Password, then (when the app asks) the authenticator code: set up the first time, verified after."""
        try:
            status, location, _ = self.request("GET", "/accounts/login/")
        except OSError as exc:
            raise SystemExit(f"Geen server op {self.host}:{self.port} ({exc}).") from None
        if status != 200 or "csrftoken" not in self.cookies:
            hint = " (DEBUG=0 zonder BEHIND_PROXY=1?)" if status == 301 and location else ""
            raise SystemExit(f"Inlogpagina gaf {status}{hint}: draait de server, op deze poort?")
        status, location, _ = self.post_form("/accounts/login/", {"username": username, "password": password})
        if status != 302 or "/accounts/" in location:
            raise SystemExit(
                f"Inloggen als {username} mislukt ({status} naar {location or 'dezelfde pagina'}): demo-data geladen?"
            )
        status, location, _ = self.request("GET", "/")
        if status == 302 and location == "/accounts/tweestaps/instellen/":
            _, _, page = self.request("GET", location)
            found = SECRET.search(page)
            if not found:
                raise SystemExit(f"Geen sleutel op de instelpagina van {username}.")
            key = found.group(1).decode().replace(" ", "")
            status, _, page = self.post_form(location, {"token": keys.code(username, key), "next": "/"})
            if status != 200 or RECOVERY_PAGE not in page:
                raise SystemExit(f"Tweestapsverificatie instellen voor {username} mislukt ({status}).")
        elif status == 302 and location == "/accounts/tweestaps/":
            if not keys.key(username):
                raise SystemExit(
                    f"{username} heeft al een authenticator, maar de sleutel staat niet in {keys.path}: zet de "
                    "tweestapsverificatie van de demogebruikers terug in het beheer (of laad de demo-data opnieuw)."
                )
            status, location, _ = self.post_form(location, {"token": keys.code(username), "next": "/"})
            if status != 302 or location.startswith("/accounts/"):
                raise SystemExit(f"Code van {username} geweigerd ({status}): klopt de sleutel in {keys.path}?")
        elif status not in (200, 302):
            raise SystemExit(f"Na inloggen als {username} gaf / {status}.")


def log_in_users(host: str, port: int, password: str, keys_path: str, clients: int) -> dict[str, dict]:
    """Each demo user the clients need, logged in once: username -> the session's cookies."""
    keys = Keys(keys_path, f"{host}:{port}")
    cookies = {}
    for users in USERS.values():
        for username in users[:clients]:
            session = Session(host, port)
            session.login(username, password, keys)
            session.conn.close()
            cookies[username] = session.cookies
    return cookies


class Client:
    def __init__(self, index: int, host: str, port: int, cookies: dict[str, dict]):
        self.sessions = {}
        for role, users in USERS.items():
            self.sessions[role] = Session(host, port, cookies[users[index % len(users)]])

    def get(self, role: str, path: str):
        return self.sessions[role].request("GET", path)

    def search(self, text: str):
        session = self.sessions["toegang"]
        # As the page's htmx form does: POST, so the name stays out of the URL; answered with the results.
        return session.request(
            "POST",
            "/dossiers/",
            {"q": text, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            {"HX-Request": "true", "Referer": f"https://{session.host}:{session.port}/dossiers/"},
        )


def harvest_children(client: Client) -> list[int]:
    """Children a toegangsmedewerker of Voorbeeldstad may open: the search results and the Top 32."""
    found = set()
    for text in SEARCHES:
        _, _, content = client.search(text)
        found.update(int(pk) for pk in CHILD_LINK.findall(content))
    _, _, content = client.get("regisseur", "/regie/")
    found.update(int(pk) for pk in CHILD_LINK.findall(content))
    if not found:
        raise SystemExit("Geen dossiers gevonden om te openen: zijn de demo-data geladen?")
    return sorted(found)


def cpu_seconds(patterns: list[str]) -> dict[str, dict[int, float]]:
    """Per pattern: pid -> user + system CPU seconds of the processes whose command line matches (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[str, dict[int, float]] = {p: {} for p in patterns}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        for pattern in patterns:
            if re.search(pattern, cmdline):
                found[pattern][int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    return found


def cpu_used(before, after) -> dict[str, float]:
    """CPU used between two readings; a process that started meanwhile counts from zero."""
    return {p: sum(t - before[p].get(pid, 0.0) for pid, t in after[p].items()) for p in after}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (after the logins)")
    parser.add_argument("--requests", type=int, default=0, help="stop after this many requests instead")
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds of load before measuring")
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument(
        "--totp-keys",
        default=os.path.join(tempfile.gettempdir(), "jeugdregie_load_test_totp.json"),
        help="the demo users' authenticator keys, written at their first 2FA setup (see above)",
    )
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--cpu-of", action="append", default=[], metavar="PATTERN", help="see above")
    args = parser.parse_args()
    url = urlsplit(args.url)
    if url.scheme != "http" or url.hostname not in LOOPBACK:
        raise SystemExit(f"Alleen http op loopback ({', '.join(sorted(LOOPBACK))}), niet {args.url}.")
    if not 1 <= args.clients <= 64 or not 0 < args.duration <= 3600:
        raise SystemExit("Tussen 1 en 64 clients en hoogstens een uur.")
    host, port = url.hostname, url.port or 80

    print(f"{args.url}: {args.clients} clients, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}", flush=True)
    cookies = log_in_users(host, port, args.password, args.totp_keys, args.clients)
    clients = [Client(i, host, port, cookies) for i in range(args.clients)]
    children = harvest_children(clients[0])
    print(f"  {len(clients)} clients logged in, {len(children)} case files to open", flush=True)
    pages = list(WEIGHTS)
    weights = [WEIGHTS[p][0] for p in pages]

    lock = threading.Lock()
    results: list[tuple[str, float, bool]] = []  # page, seconds, ok
    errors: dict[str, int] = {}
    budget = [args.requests or sys.maxsize]
    state = {"measuring": args.warmup <= 0}
    stop = threading.Event()

    def work(index: int, client: Client):
        rng = random.Random(args.seed * 1000 + index)
        while not stop.is_set():
            page = rng.choices(pages, weights)[0]
            started = time.perf_counter()
            try:
                if page == "dossier":
                    status, location, _ = client.get("toegang", f"/jeugdigen/{rng.choice(children)}/")
                elif page == "zoeken":
                    status, location, _ = client.search(rng.choice(SEARCHES))
                elif page == "top32":
                    status, location, _ = client.get("regisseur", "/regie/")
                elif page == "toetsing":
                    status, location, _ = client.get("toets", "/toetsing/")
                else:
                    status, location, _ = client.get("beleid", "/kpi/")
                ok, why = status == 200, f"{status} {location}".strip()
            except Exception as exc:  # a refused or timed-out request is an error of the run, not a crash
                ok, why = False, type(exc).__name__
            seconds = time.perf_counter() - started
            with lock:
                if not state["measuring"]:
                    continue
                if budget[0] <= 0:
                    stop.set()
                    break
                budget[0] -= 1
                results.append((page, seconds, ok))
                if not ok:
                    errors[f"{page}: {why}"] = errors.get(f"{page}: {why}", 0) + 1

    threads = [threading.Thread(target=work, args=(i, c), daemon=True) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    if args.warmup > 0:
        time.sleep(args.warmup)
        with lock:
            state["measuring"] = True
    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    servers_before = cpu_seconds(args.cpu_of)
    started = time.perf_counter()
    stop.wait(args.duration)
    stop.set()
    with lock:
        elapsed = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        servers = cpu_used(servers_before, cpu_seconds(args.cpu_of))
        done = list(results)
    for thread in threads:
        thread.join(timeout=35)

    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    after = os.getloadavg()[0]
    print(f"  {len(done)} requests in {elapsed:.1f} s, load {load_before:.1f} before, {after:.1f} after")
    header = ("page", "weight", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors")
    print(f"  {header[0]:<10} " + " ".join(f"{h:>{8 if 'ms' in h else 6}}" for h in header[1:]))
    for page in [*pages, "totaal"]:
        rows = [r for r in done if page in ("totaal", r[0])]
        if not rows:
            continue
        ms = [r[1] * 1000 for r in rows]
        weight = "" if page == "totaal" else WEIGHTS[page][0]
        print(
            f"  {page:<10} {weight:>6} {len(rows):>6} {len(rows) / elapsed:>6.1f} {statistics.median(ms):>8.0f} "
            f"{percentile(ms, 95):>8.0f} {percentile(ms, 99):>8.0f} {sum(not r[2] for r in rows):>6}"
        )
    for why, n in sorted(errors.items()):
        print(f"  error {n}x {why}")
    per_request = cpu / len(done) * 1000 if done else 0
    print(
        f"  load script's own CPU: {cpu:.1f} s in {elapsed:.1f} s = {cpu / elapsed:.0%} of one core "
        f"({per_request:.2f} ms a request), taken from the server's {os.cpu_count()} cores"
    )
    if done and servers:
        total = 0.0
        for pattern, seconds in servers.items():
            total += seconds
            print(f"  CPU of /{pattern}/: {seconds:.1f} s = {seconds / len(done) * 1000:.1f} ms a request")
        per_request = total / len(done)
        print(
            f"  server CPU {per_request * 1000:.1f} ms a request: on {os.cpu_count()} cores alone at most "
            f"{os.cpu_count() / per_request:.0f} requests a second"
        )
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
