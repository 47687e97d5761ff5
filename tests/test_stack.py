"""The production stack: two gunicorn servers behind nginx, one PostgreSQL, one Redis.

Started from deploy/ as production starts them, in a PostgreSQL database and a
Redis database of their own. Without nginx, PostgreSQL or Redis these tests are
skipped with the reason; with CI=true they fail instead.
"""

import html
import os
import re
import secrets
import tempfile
import threading
import uuid
from pathlib import Path

import pytest

from tests import stack
from tests.conftest import IN_CI

pytestmark = pytest.mark.stack

PG_URL = os.environ.get("STACK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("STACK_REDIS_URL", "redis://127.0.0.1:6379/9")
PASSWORD = "a-long-stack-test-password"


def missing(what):
    message = f"{what}; .ci/run provides it"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def admin_connection(database="postgres"):
    import psycopg

    return psycopg.connect(f"{PG_URL}/{database}", autocommit=True, connect_timeout=3)


@pytest.fixture(scope="module")
def site():
    if stack.nginx_binary() is None:
        missing("nginx is not installed")
    if not stack.reachable("127.0.0.1", 6379) and "127.0.0.1:6379" in REDIS_URL:
        missing("Redis is not running on 127.0.0.1:6379")
    try:
        admin_connection().close()
    except Exception as error:
        missing(f"PostgreSQL does not answer at {PG_URL} ({error})")

    import redis

    cache = redis.Redis.from_url(REDIS_URL)
    cache.flushdb()
    database = f"histsite_stack_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    directory = Path(tempfile.mkdtemp(prefix="histsite-stack-"))
    processes = stack.Processes(directory)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))},
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_COOKIES": "false",  # plain HTTP on 127.0.0.1
        "DJANGO_AXES_IPWARE_META_PRECEDENCE_ORDER": "HTTP_X_FORWARDED_FOR,REMOTE_ADDR",
        "DJANGO_STATIC_ROOT": str(directory / "static"),
        "DJANGO_MEDIA_ROOT": str(directory / "media"),
        "DATABASE_URL": f"{PG_URL}/{database}",
        "REDIS_URL": REDIS_URL,
    }
    (directory / "media").mkdir()
    try:
        collect = threading.Thread(
            target=stack.manage, args=(env, "collectstatic", "--no-input", "--verbosity", "0")
        )
        collect.start()
        stack.manage(env, "migrate", "--no-input", "--verbosity", "0")
        stack.manage(env, "loadcontent", "--verbosity", "0")
        stack.manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            f"User.objects.create_superuser('stack', 'stack@example.org', '{PASSWORD}')",
        )
        collect.join()
        ports = {"a": stack.free_port(), "b": stack.free_port(), "nginx": stack.free_port()}
        stack.start_gunicorn(processes, "a", ports["a"], env)
        stack.start_gunicorn(processes, "b", ports["b"], env)
        stack.start_nginx(
            processes,
            ports["nginx"],
            [ports["a"], ports["b"]],
            directory / "static",
            directory / "media",
            directory,
        )
        for port in ports.values():
            stack.wait_until_healthy(port, processes)
        yield {
            "a": f"http://127.0.0.1:{ports['a']}",
            "b": f"http://127.0.0.1:{ports['b']}",
            "nginx": f"http://127.0.0.1:{ports['nginx']}",
            "database": database,
            "redis": cache,
            "media": directory / "media",
            "processes": processes,
        }
    finally:
        processes.stop()
        with admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        cache.flushdb()
        import shutil

        shutil.rmtree(directory, ignore_errors=True)


def query(site, sql, *params):
    with admin_connection(site["database"]) as connection:
        return connection.execute(sql, params).fetchall()


def title_in(page):
    return html.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)).strip()


def test_each_server_and_nginx_answer_healthz(site):
    for name in ("a", "b", "nginx"):
        status, headers, body = stack.Client().get(f"{site[name]}/healthz")
        assert status == 200, (name, body)
        assert '"database": "ok"' in body and '"cache": "ok"' in body
        assert "Set-Cookie" not in headers and "no-store" in headers["Cache-Control"]


def test_nginx_passes_its_request_id_and_shares_requests_between_the_servers(site):
    client = stack.Client(cookies=False)
    marker = uuid.uuid4().hex
    ids = {client.get(f"{site['nginx']}/healthz?{marker}={n}")[1]["X-Request-ID"] for n in range(6)}
    assert len(ids) == 6 and all(re.fullmatch(r"[0-9a-f]{32}", id_) for id_ in ids)
    served = {name: site["processes"].log(name).count(marker) for name in ("a", "b")}
    assert served["a"] and served["b"] and sum(served.values()) == 6, served
    # The ids nginx made are the ones gunicorn logged.
    assert all(
        f"id={id_}" in site["processes"].log("a") + site["processes"].log("b") for id_ in ids
    )


def test_nginx_serves_static_and_media_files_with_long_caching_and_gzip(site):
    client = stack.Client(cookies=False)
    status, _, page = client.get(f"{site['nginx']}/")
    assert status == 200
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1)
    status, headers, _ = client.get(
        f"{site['nginx']}{stylesheet}", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Encoding"] == "gzip" and "X-Request-ID" not in headers
    (site["media"] / "images").mkdir(exist_ok=True)
    (site["media"] / "images" / "map.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    status, headers, body = client.get(f"{site['nginx']}/media/images/map.svg")
    assert status == 200 and body.startswith("<svg")
    assert headers["Cache-Control"] == "public, max-age=2592000"
    assert (
        headers["Content-Type"] == "image/svg+xml"
        and "sandbox" in headers["Content-Security-Policy"]
    )
    assert client.get(f"{site['nginx']}/media/no-such-file.png")[0] == 404


def test_an_edit_saved_on_one_server_is_read_on_the_other_with_the_cache_on(site):
    [(pk, slug, title)] = query(
        site,
        "SELECT id, slug, title FROM timeline_event WHERE status = 'published' ORDER BY id LIMIT 1",
    )
    reader = stack.Client(cookies=False)
    page = f"/events/{slug}/"
    for name in ("b", "nginx", "b"):
        status, _, body = reader.get(site[name] + page)
        assert status == 200 and title_in(body) == title
    # The page is in the shared Redis now, so a stale copy is there to be served.
    assert site["redis"].keys("*timeline:page:*")

    editor = stack.Client()
    assert editor.sign_in(site["a"], "stack", PASSWORD) == "/admin/"
    # The session made on A is good on B: the admin opens there without signing in.
    status, _, body = editor.get(f"{site['b']}/admin/")
    assert status == 200 and "stack" in body and "Log out" in body
    new_title = f"{title} (edited on A {uuid.uuid4().hex[:6]})"
    status, location, body = editor.change(
        site["a"],
        f"/admin/timeline/event/{pk}/change/",
        "event_form",
        title=new_title,
        revision_comment="Edited by the stack test",
    )
    assert status == 302, re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', body, re.S)
    assert location.endswith("/admin/timeline/event/")
    assert query(site, "SELECT title FROM timeline_event WHERE id = %s", pk) == [(new_title,)]

    for name in ("b", "nginx", "a"):
        status, _, body = reader.get(site[name] + page)
        assert status == 200 and title_in(body) == new_title, name
    # And the editor, on B, sees the saved form.
    status, _, body = editor.get(f"{site['b']}/admin/timeline/event/{pk}/change/")
    assert status == 200 and html.escape(new_title, quote=True) in body
