"""Readers and editors at once, against gunicorn as production runs it.

    make loadtest                                            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make loadtest
    LOADTEST_SECONDS=20 LOADTEST_READERS=6 make loadtest

Sets up a throwaway site with the whole article (a temporary SQLite file, or a
PostgreSQL database of its own on the server DATABASE_URL names, dropped at the
end), serves it with gunicorn and deploy/gunicorn.conf.py on a free port of
127.0.0.1, with Redis (LOADTEST_REDIS_URL, db 9 by default) as the shared cache
when it answers. Then, for LOADTEST_SECONDS (at most 60): anonymous readers walk
the timeline, event, person and place pages and search, while two editors, each
signed in through the admin's sign-in form, open events' change forms and save
them (real POSTs with the CSRF token), each editor on events of its own.

It prints the requests, the errors, p50 and p99 for reads and for saves, and the
writes confirmed: each event's title in the database is re-read and must be the
last one saved, and each event must have one revision per save. It exits 1 on any
error, any "database is locked" in the server's log, or any lost write.
"""

import itertools
import json
import os
import platform
import random
import secrets
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from tests import stack

SECONDS = min(float(os.environ.get("LOADTEST_SECONDS", "30")), 60)
READERS = int(os.environ.get("LOADTEST_READERS", "8"))
EDITORS = 2
REDIS_URL = os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/9")
PASSWORD = "a-long-load-test-password"
SEARCHES = ("nagy", "budapest", "treaty", "kadar", "1956", "soviet troops", "karolyi", "warsaw")

DUMP = """
import json
from reversion.models import Version
from timeline.models import Event, Person, Place
events = list(Event.objects.published().values_list("id", "slug", "title"))
versions = {}
for object_id in Version.objects.filter(content_type__model="event").values_list(
    "object_id", flat=True
):
    versions[object_id] = versions.get(object_id, 0) + 1
print(json.dumps({
    "events": events,
    "versions": versions,
    "people": list(Person.objects.published().values_list("slug", flat=True)),
    "places": list(Place.objects.published().values_list("slug", flat=True)),
}))
"""


def machine():
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.cpu_count()} × {model}, Python {platform.python_version()}, load average {load}"


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.timings = {"read": [], "save": []}
        self.errors = []

    def record(self, kind, started, ok, what):
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.timings[kind].append(elapsed)
            if not ok:
                self.errors.append(what)


def reader(base, paths, tally, stop, seed):
    client = stack.Client(cookies=False)
    rng = random.Random(seed)
    while not stop.is_set():
        path = rng.choice(paths)()
        started = time.perf_counter()
        try:
            status, _, _ = client.get(base + path)
        except Exception as error:  # a refused or dropped connection is an error too
            tally.record("read", started, False, f"GET {path}: {error!r}")
            continue
        tally.record("read", started, status == 200, f"GET {path}: {status}")


def editor(base, username, events, tally, stop, saved):
    client = stack.Client()
    client.sign_in(base, username, PASSWORD)
    for number in itertools.count(1):
        for pk, _, title in events:
            if stop.is_set():
                return
            new_title = f"{title} [{username} #{number}]"
            started = time.perf_counter()
            try:
                status, _, html = client.change(
                    base,
                    f"/admin/timeline/event/{pk}/change/",
                    "event_form",
                    title=new_title,
                    revision_comment=f"Load test save {number}",
                )
            except Exception as error:
                tally.record("save", started, False, f"save {pk}: {error!r}")
                continue
            ok = status == 302
            tally.record("save", started, ok, f"save {pk}: {status} {html[:300]!r}")
            if ok:
                saved[pk].append(new_title)


def main():
    directory = Path(tempfile.mkdtemp(prefix="histsite-loadtest-"))
    processes = stack.Processes(directory)
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith(("postgres://", "postgresql://"))
    server = url.rsplit("/", 1)[0] if postgres else ""
    database = f"histsite_loadtest_{uuid.uuid4().hex[:8]}"
    database_url = f"{server}/{database}" if postgres else f"sqlite:///{directory / 'db.sqlite3'}"
    redis = None
    if stack.reachable("127.0.0.1", 6379) or "127.0.0.1:6379" not in REDIS_URL:
        import redis as redis_client

        redis = redis_client.Redis.from_url(REDIS_URL)
        redis.flushdb()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))},
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_STATIC_ROOT": str(directory / "static"),
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL if redis else "",
    }
    admin = None
    if postgres:
        import psycopg

        admin = psycopg.connect(f"{server}/postgres", autocommit=True)
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        print(f"Setting up on {'PostgreSQL' if postgres else 'SQLite'} ...", flush=True)
        stack.manage(env, "migrate", "--no-input", "--verbosity", "0")
        stack.manage(env, "loadcontent", "--verbosity", "0")
        stack.manage(env, "collectstatic", "--no-input", "--verbosity", "0")
        users = [f"editor{number}" for number in range(1, EDITORS + 1)]
        stack.manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth.models import User\n"
            + "".join(
                f"User.objects.create_superuser({name!r}, '', {PASSWORD!r})\n" for name in users
            ),
        )
        before = json.loads(stack.manage(env, "shell", "-c", DUMP).strip().splitlines()[-1])
        port = stack.free_port()
        stack.start_gunicorn(processes, "gunicorn", port, env, workers=os.cpu_count() * 2 + 1)
        stack.wait_until_healthy(port, processes)
        base = f"http://127.0.0.1:{port}"

        events = before["events"]
        rng = random.Random(1)
        edited = rng.sample(events, 6)
        paths = [
            lambda: "/events/",
            lambda: f"/events/?page={rng.randint(1, 3)}",
            lambda: f"/events/{rng.choice(events)[1]}/",
            lambda: f"/events/{rng.choice(edited)[1]}/",
            lambda: f"/people/{rng.choice(before['people'])}/",
            lambda: f"/places/{rng.choice(before['places'])}/",
            lambda: f"/search/?q={rng.choice(SEARCHES).replace(' ', '+')}",
            lambda: f"/events/?q={rng.choice(SEARCHES).replace(' ', '+')}",
        ]
        tally, stop = Tally(), threading.Event()
        saved = {pk: [] for pk, _, _ in edited}
        threads = [
            threading.Thread(target=reader, args=(base, paths, tally, stop, seed))
            for seed in range(READERS)
        ] + [
            threading.Thread(
                target=editor, args=(base, name, edited[i::EDITORS], tally, stop, saved)
            )
            for i, name in enumerate(users)
        ]
        print(
            f"{READERS} readers and {EDITORS} editors for {SECONDS:g} s against gunicorn "
            f"({os.cpu_count() * 2 + 1} workers), cache: {'Redis' if redis else 'per process'}",
            flush=True,
        )
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(SECONDS)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.perf_counter() - started

        after = json.loads(stack.manage(env, "shell", "-c", DUMP).strip().splitlines()[-1])
        titles = {pk: title for pk, _, title in after["events"]}
        lost = []
        for pk, titles_saved in saved.items():
            if titles_saved and titles[pk] != titles_saved[-1]:
                lost.append(f"event {pk}: {titles[pk]!r}, last saved {titles_saved[-1]!r}")
            revisions = after["versions"].get(str(pk), 0) - before["versions"].get(str(pk), 0)
            if revisions != len(titles_saved):
                lost.append(f"event {pk}: {revisions} revisions for {len(titles_saved)} saves")
        confirmed = sum(len(titles_saved) for titles_saved in saved.values())
        log = processes.log("gunicorn")
        locked = log.count("database is locked")
        tracebacks = log.count("Traceback")

        reads, saves = tally.timings["read"], tally.timings["save"]
        print(f"machine: {machine()}")
        print(f"database: {'PostgreSQL' if postgres else 'SQLite'}, {elapsed:.0f} s")
        print(f"requests: {len(reads)} reads ({len(reads) / elapsed:.0f}/s), {len(saves)} saves")
        print(f"errors: {len(tally.errors)}")
        for error in tally.errors[:10]:
            print(f"  {error}")
        print(f"reads: p50 {percentile(reads, 0.5):.0f} ms, p99 {percentile(reads, 0.99):.0f} ms")
        print(
            f"saves: p50 {percentile(saves, 0.5):.0f} ms, p99 {percentile(saves, 0.99):.0f} ms "
            "(open the form, then save it)"
        )
        print(
            f"writes confirmed: {confirmed - len(lost)} of {confirmed} (re-read from the database)"
        )
        for line in lost:
            print(f"  lost: {line}")
        print(f'"database is locked": {locked}; tracebacks in the server log: {tracebacks}')
        failed = tally.errors or lost or locked or tracebacks or not saves
        return 1 if failed else 0
    finally:
        processes.stop()
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.close()
        if redis is not None:
            redis.flushdb()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
