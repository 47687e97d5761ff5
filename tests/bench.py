"""Speed of every public page on a large generated site, served as in production.

    make bench                                  # 100,000 events on SQLite
    BENCH_EVENTS=5000 make bench                # a smaller site, quicker
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench

Generate the site with makedata into a throwaway database (a temporary SQLite file, or
a PostgreSQL database named histsite_bench that the bench creates and drops), collect
the static files into a temporary STATIC_ROOT, and serve it with gunicorn (two sync
workers, DEBUG off) on a free port of 127.0.0.1. For each public page print the median
wall time; the CPU the workers spent on a request (utime + stime from /proc, before and
after a run of requests, over their number); that CPU as a multiple of whitenoise
serving a static file of the same size (the page's own HTML, saved under STATIC_ROOT);
the page's bytes plain and gzipped; and its query count, taken in-process with the test
client on the same database. A page over gunicorn's timeout is reported as such. The
bench stops by itself, and stops its server and removes its database on the way out.
"""

import gzip
import http.client
import itertools
import logging
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from tests.bench_images import add_lead_image, format_report, image_bytes

BASE_DIR = Path(__file__).resolve().parent.parent
EVENTS = int(os.environ.get("BENCH_EVENTS", "100000"))
SEED = 1
BENCH_DATABASE = "histsite_bench"
WORKERS = 2
TIMEOUT = 30  # gunicorn's --timeout (its default), seconds
PAGE_SECONDS = 3.0  # requests to one page stop after this long...
PAGE_REQUESTS = (3, 200)  # ...but make at least and at most this many
STATIC_SECONDS = 1.5
STATIC_REQUESTS = (50, 2_000)
TOTAL_SECONDS = 20 * 60  # pages not reached by then are skipped
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class PageTimeout(BaseException):
    """A page took longer than gunicorn's timeout.

    Not an Exception, so that Django's handler lets it through untouched instead of
    logging the interrupted request as a server error.
    """


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


BUSTER = itertools.count()


def uncached(path):
    """Return the path with a parameter no page reads, new each time: a page-cache miss."""
    return f"{path}{'&' if '?' in path else '?'}bench={next(BUSTER)}"


def fetch(port, path, cache=True):
    """Return the status and body of one GET from the local server, or raise PageTimeout.

    With cache=False every request is a new address, so the page cache never answers.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT + 10)
    started = time.monotonic()
    try:
        connection.request("GET", path if cache else uncached(path))
        response = connection.getresponse()
        status, body = response.status, response.read()
    except (TimeoutError, http.client.RemoteDisconnected, ConnectionResetError) as error:
        raise PageTimeout(path) from error
    finally:
        connection.close()
    # gunicorn aborts a worker past its timeout, and answers for it with a bare 500.
    if status == 500 and time.monotonic() - started >= TIMEOUT:
        raise PageTimeout(path)
    return status, body


def wait_for_workers(master):
    """Wait until gunicorn has replaced a worker it killed, and the new one has booted."""
    deadline = time.monotonic() + 30
    while len(worker_pids(master)) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(5)  # a new worker imports Django; its CPU must not count for the next page


def worker_pids(master):
    """Return the pids of the gunicorn master's workers."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that has just ended
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return sorted(pids)


def cpu_seconds(pids):
    """Return the CPU time (user and system) the processes have used so far.

    From /proc/PID/schedstat, in nanoseconds; /proc/PID/stat counts in ticks of 10 ms,
    coarser than most pages.
    """
    seconds = 0
    for pid in pids:
        try:
            seconds += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
        except FileNotFoundError:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            seconds += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return seconds


WARM_ROUNDS = 3


def measure(port, master, path, seconds, bounds, cache=True):
    """Request a path repeatedly; return status, body, median wall ms, CPU ms a request, count.

    A first request that takes longer than seconds is the only one measured, cold.
    Otherwise rounds of requests made at once, one for each worker, come first and
    are not counted: each worker keeps its own local-memory cache, so its first
    answer pays for what the page keeps (a count, a list's keys, the map; 0.35 s for
    /people/), or for the whole page when it is cached. One at a time, the same worker
    tends to answer every request, and the other paid in the middle of the run. CPU
    is None when gunicorn replaced a worker during the run.
    """
    pids = worker_pids(master)
    cpu_before = cpu_seconds(pids)
    started = time.perf_counter()
    status, body = fetch(port, path, cache)
    timings = [time.perf_counter() - started]
    least, most = bounds
    if timings[0] < seconds:
        with ThreadPoolExecutor(len(pids)) as pool:
            for _ in range(WARM_ROUNDS):
                list(pool.map(lambda _: fetch(port, path, cache), pids))
        timings, cpu_before = [], cpu_seconds(pids)
        run_started = time.perf_counter()
        while len(timings) < least or (
            len(timings) < most and time.perf_counter() - run_started < seconds
        ):
            started = time.perf_counter()
            status, body = fetch(port, path, cache)
            timings.append(time.perf_counter() - started)
    cpu = None
    if worker_pids(master) == pids:
        cpu = (cpu_seconds(pids) - cpu_before) / len(timings) * 1000
    return status, body, statistics.median(timings) * 1000, cpu, len(timings)


def pages():
    """Return (label, path) for every public page, aimed at the busiest rows."""
    from django.db.models import Count
    from django.urls import reverse

    from timeline.models import Event, Period, Person, Place, Source

    def busiest(queryset, relation):
        return queryset.annotate(busy=Count(relation)).order_by("-busy", "pk").first()

    person = busiest(Person.objects.all(), "participations")
    place = busiest(Place.objects.all(), "events")
    period = busiest(Period.objects.all(), "events")
    source = busiest(Source.objects.all(), "citations")
    event = busiest(Event.objects.published(), "citations")
    kind = Event.kinds.through.objects.values("eventkind__slug").annotate(n=Count("pk"))
    kind = kind.order_by("-n").first()["eventkind__slug"]
    events = reverse("timeline:event-list")

    def timeline(**filters):
        return f"{events}?{urlencode(filters)}"

    return [
        ("home", reverse("timeline:home")),
        ("timeline", events),
        ("timeline, page 500", timeline(page=500)),
        ("timeline, q=treaty", timeline(q="treaty")),
        ("timeline, busiest period", timeline(period=period.slug)),
        ("timeline, busiest person", timeline(person=person.slug)),
        ("timeline, busiest place", timeline(place=place.slug)),
        ("timeline, commonest kind", timeline(kind=kind)),
        ("timeline, most cited source", timeline(source=source.slug)),
        ("timeline, 1956-10 to 1956-11", timeline(start="1956-10", end="1956-11")),
        ("busiest person", person.get_absolute_url()),
        ("busiest place", place.get_absolute_url()),
        ("most cited source", source.get_absolute_url()),
        ("busiest period", period.get_absolute_url()),
        ("most cited event", event.get_absolute_url()),
        ("search karolyi", reverse("timeline:search") + "?q=karolyi"),
        # In about half the events: too common to rank.
        ("search soviet", reverse("timeline:search") + "?q=soviet"),
        ("drawn timeline", timeline(view="timeline")),
        ("drawn timeline, 1956", timeline(view="timeline", zoom="year", at="1956")),
        ("drawn timeline, 4 Nov 1956", timeline(view="timeline", zoom="day", at="1956-11-04")),
        ("map", timeline(view="map")),
        ("feed", reverse("timeline:feed")),
        ("API events", reverse("api:event-list")),
        ("periods", reverse("timeline:period-list")),
        ("people", reverse("timeline:person-list")),
        ("places", reverse("timeline:place-list")),
        ("sources", reverse("timeline:source-list")),
    ]


def render_in_process(path):
    """Return the status, body and query count of a page rendered by the test client.

    Raise PageTimeout when it takes longer than gunicorn would allow.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def expire(signum, frame):
        raise PageTimeout(path)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
    try:
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(path)
        return response.status_code, response.content, len(queries)
    except PageTimeout:
        connection.close()  # the query it was in may have been cut off
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Bench:
    """A throwaway database, static root and gunicorn, removed again by close()."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="histsite-bench-"))
        self.static_root = self.directory / "static"
        self.server = None
        self.postgres = None
        original = os.environ.get("DATABASE_URL", "")
        if original.startswith(("postgres://", "postgresql://")):
            self.postgres = original
            self.database_url = urlsplit(original)._replace(path=f"/{BENCH_DATABASE}").geturl()
        else:
            self.database_url = f"sqlite:///{self.directory / 'bench.sqlite3'}"
        # Production settings, with the static root in the throwaway directory.
        (self.directory / "bench_settings.py").write_text(
            "from histsite.settings import *  # noqa: F403\n"
            f"STATIC_ROOT = {str(self.static_root)!r}\n"
        )
        self.environment = {
            "DATABASE_URL": self.database_url,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-" + secrets.token_hex(16),
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": os.pathsep.join([str(self.directory), str(BASE_DIR)]),
            "DJANGO_MEDIA_ROOT": str(self.directory / "media"),
            # The API's limit for anonymous clients would answer most of a page's
            # requests with 429: the bench measures the page, not the limit.
            "DJANGO_API_RATE": "1000000/minute",
        }

    def admin(self, statement):
        """Run one statement on the PostgreSQL server DATABASE_URL names."""
        import dj_database_url
        import psycopg

        settings = dj_database_url.parse(self.postgres)
        with psycopg.connect(
            dbname=settings["NAME"],
            user=settings["USER"],
            password=settings["PASSWORD"] or None,
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            autocommit=True,
        ) as connection:
            connection.execute(statement)

    def create_database(self):
        if self.postgres:
            self.admin(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
            self.admin(f"CREATE DATABASE {BENCH_DATABASE}")

    def setup_django(self):
        os.environ.update(self.environment)
        sys.path.insert(0, str(self.directory))
        import django

        django.setup()

    def start_server(self):
        """Start gunicorn and return its port once a worker answers."""
        port = free_port()
        with open(self.directory / "gunicorn.log", "wb") as log:
            self.server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "histsite.wsgi"]
                + ["--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
                + ["--timeout", str(TIMEOUT), "--log-level", "warning"],
                cwd=BASE_DIR,
                env={**os.environ, **self.environment},
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group, so close() stops the master and its workers.
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {self.directory / 'gunicorn.log'}")
            try:
                if fetch(port, "/static/bench/ready.txt")[0] == 200:
                    return port
            except (OSError, PageTimeout):
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within a minute")

    def close(self):
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()
        if self.postgres:
            from django.db import connections

            connections.close_all()
            self.admin(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        shutil.rmtree(self.directory, ignore_errors=True)


def kilobytes(count):
    return f"{count / 1024:,.0f}"


def main():
    # A SIGTERM (from make, or a CI's time limit) unwinds through the clean-up below.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    bench = Bench()
    try:
        return run(bench)
    finally:
        bench.close()


def run(bench):
    bench.create_database()
    bench.setup_django()
    from django.core.management import call_command
    from django.db import connection

    began = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"== makedata --events {EVENTS} --seed {SEED} on {connection.vendor}", flush=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    call_command("makedata", events=EVENTS, seed=SEED)
    generated = time.perf_counter() - started, time.process_time() - cpu_started
    illustrated = add_lead_image()
    results = render_all(bench.static_root / "bench")
    port = bench.start_server()
    serve_all(port, bench.server.pid, results, deadline=began + TOTAL_SECONDS)
    print()
    print(
        f"{EVENTS:,} events on {connection.vendor}; makedata took {generated[0]:.0f} s "
        f"({generated[1]:.0f} s CPU); the whole bench {time.monotonic() - began:.0f} s"
    )
    report(results)
    print(f"\nImage bytes of an event page with a 2400 × 1600 lead picture ({illustrated}):")
    media_root = bench.environment["DJANGO_MEDIA_ROOT"]
    for line in format_report(
        image_bytes(f"http://127.0.0.1:{port}", illustrated, media_root=media_root)
    ):
        print("  " + line)
    return 0


def render_all(copies):
    """Render every page once in-process for its queries, and save its HTML as a static file."""
    print(f"== each page in-process, for its queries (over {TIMEOUT} s is a timeout)", flush=True)
    # A 404 (page 500 of a small site) is a figure for the table, not news for the log.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    copies.mkdir(parents=True)
    (copies / "ready.txt").write_text("ready\n")
    results = []
    for number, (label, path) in enumerate(pages()):
        result = {"label": label, "path": path}
        started = time.perf_counter()
        try:
            status, body, queries = render_in_process(path)
        except PageTimeout:
            result["error"] = f"timeout: over {TIMEOUT} s in-process"
        else:
            result.update(status=status, queries=queries, bytes=len(body))
            result["static"] = f"/static/bench/{number}.html"
            (copies / result["static"].rsplit("/", 1)[1]).write_bytes(body)
        print(f"   {label}: {time.perf_counter() - started:.1f} s", flush=True)
        results.append(result)
    return results


def serve_all(port, master, results, deadline):
    """Measure every page, and its static copy, through gunicorn."""
    print(f"== through gunicorn, {WORKERS} sync workers, DEBUG off", flush=True)
    for result in results:
        if "error" in result:
            continue  # past the timeout in-process already: it would be past it here
        if time.monotonic() > deadline:
            result["error"] = "skipped: the bench ran out of time"
            continue
        try:
            status, body, wall, cpu, count = measure(
                port, master, result["path"], PAGE_SECONDS, PAGE_REQUESTS, cache=False
            )
            *_, cached_cpu, _ = measure(port, master, result["path"], PAGE_SECONDS, PAGE_REQUESTS)
        except PageTimeout:
            result["error"] = f"timeout: over gunicorn's {TIMEOUT} s"
            wait_for_workers(master)
            continue
        *_, static_cpu, _ = measure(port, master, result["static"], STATIC_SECONDS, STATIC_REQUESTS)
        result.update(
            status=status,
            wall=wall,
            cpu=cpu,
            count=count,
            bytes=len(body),
            gzip=len(gzip.compress(body, compresslevel=6)),
            ratio=cpu / static_cpu if cpu is not None and static_cpu else None,
            cached_ratio=cached_cpu / static_cpu if cached_cpu is not None and static_cpu else None,
        )
        print(f"   {result['label']}: {count} requests, median {wall:.0f} ms", flush=True)


def report(results):
    print(
        f"{'page':<32} {'status':>6} {'reqs':>5} {'median ms':>9} {'CPU ms':>8} "
        f"{'× static':>8} {'cached':>7} {'KiB':>7} {'gzip KiB':>8} {'queries':>7}"
    )
    for result in results:
        if "error" in result:
            queries = f"; {result['queries']} queries" if "queries" in result else ""
            print(f"{result['label']:<32} {result['error']}{queries}")
            continue
        cpu = "?" if result["cpu"] is None else f"{result['cpu']:.1f}"
        ratio = "?" if result["ratio"] is None else f"{result['ratio']:,.0f}×"
        cached = "?" if result["cached_ratio"] is None else f"{result['cached_ratio']:,.1f}×"
        print(
            f"{result['label']:<32} {result['status']:>6} {result['count']:>5} "
            f"{result['wall']:>9.1f} {cpu:>8} {ratio:>8} {cached:>7} "
            f"{kilobytes(result['bytes']):>7} "
            f"{kilobytes(result['gzip']):>8} {result['queries']:>7}"
        )
    print(
        "Every figure but 'cached' is for requests the page cache cannot answer (each asks a "
        "new address). CPU ms: the workers' user + system time a request; × static: that "
        "over the CPU of whitenoise serving the same bytes as a static file; cached: the same "
        "ratio when the page comes from the page cache; gzip at level 6."
    )


if __name__ == "__main__":
    sys.exit(main())
