"""Production settings: headers, /healthz, logs, check --deploy, the deploy/ files."""

import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import IN_CI
from timeline.cache import page_key

BASE_DIR = Path(settings.BASE_DIR)
EXAMPLE_ENV = BASE_DIR / "deploy" / "production.env.example"
UNSAFE = ("'unsafe-inline'", "'unsafe-eval'")


def read_env_file(path):
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def run_django(script, **env):
    """Run a Python script in a fresh process with the site's real settings and env."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "GUNICORN_")) and name not in ("DATABASE_URL",)
    }
    environment.update({"DJANGO_SETTINGS_MODULE": "histsite.settings", "REDIS_URL": "", **env})
    prelude = (
        "import django, json, time; django.setup()\n"
        "from django.test import Client, override_settings\n"
        "from django.test.utils import setup_test_environment; setup_test_environment()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + script],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(tmp_path, **extra):
    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp_path),
        **extra,
    }


# Headers


@pytest.fixture
def pages(content, admin_client):
    from timeline.models import Event

    event = Event.objects.published().first()
    return {
        "home": "/",
        "event": event.get_absolute_url(),
        "timeline": "/events/?q=budapest",
        "not found": "/no-such-page/",
    }


def test_every_public_response_has_a_strict_policy_and_the_other_headers(client, pages):
    for name, url in pages.items():
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy, name
        assert "style-src 'self'" in policy and "frame-ancestors 'none'" in policy, name
        assert not any(word in policy for word in UNSAFE), (name, policy)
        assert "camera=()" in response["Permissions-Policy"], name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert response["Cross-Origin-Resource-Policy"] == "same-origin", name
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"]), name


def test_a_cached_page_gets_the_headers_too(client, pages):
    first = client.get(pages["home"])
    second = client.get(pages["home"])
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Request-ID"] != first["X-Request-ID"]


def test_the_admin_has_a_policy_without_unsafe_eval(admin_client, pages):
    response = admin_client.get(reverse("admin:index"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "'unsafe-eval'" not in policy
    assert "script-src 'self';" in policy + ";"


def test_the_request_id_from_nginx_is_kept_and_a_bad_one_replaced(client, db):
    assert client.get("/healthz", headers={"x-request-id": "abc123"})["X-Request-ID"] == "abc123"
    replaced = client.get("/healthz", headers={"x-request-id": "a b\nc"})["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)


INLINE = [
    # JSON-LD is a data block, which no policy runs; any other inline script is code.
    (
        re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>", re.I),
        "an inline <script>",
    ),
    (re.compile(r"<style\b", re.I), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on…= handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_template_has_inline_script_or_style():
    found = []
    for path in sorted((BASE_DIR / "templates").rglob("*.html")):
        text = path.read_text()
        found += [f"{path.relative_to(BASE_DIR)}: {what}" for rx, what in INLINE if rx.search(text)]
    assert found == []


def test_the_home_page_draws_without_style_attributes(client, content):
    """The policy allows no inline style: the drawing positions marks with SVG attributes."""
    html = client.get("/").content.decode()
    assert "<svg" in html and "style=" not in html


# /healthz


def test_healthz_answers_200_without_session_cookie_or_cache(client, db):
    client.cookies["sessionid"] = "not-a-session"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok" and response.json()["cache"] == "ok"
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert "no-store" in response["Cache-Control"]
    del client.cookies["sessionid"]
    response = client.get("/healthz")
    assert "no-store" in response["Cache-Control"] and not response.cookies
    # Not stored by the page cache: nothing under the key an anonymous page would use.
    assert not any(
        cache.get(page_key(response.wsgi_request, generation))
        for generation in (cache.get("timeline:content-generation"),)
        if generation is not None
    )
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_healthz_takes_under_50_ms_and_one_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/healthz")
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
    assert statistics.median(timings) < 50, timings


def health_in_a_process(tmp_path, **env):
    result = run_django(
        "started = time.perf_counter()\n"
        "response = Client().get('/healthz')\n"
        "print(json.dumps({'status': response.status_code, 'body': response.json(),"
        " 'ms': (time.perf_counter() - started) * 1000}))\n",
        **production_env(tmp_path, **env),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stdout


def test_healthz_is_503_when_the_cache_does_not_answer(tmp_path):
    # A Redis URL on a port nothing listens on: the real client, really refused.
    answer, output = health_in_a_process(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    assert answer["status"] == 503
    assert answer["body"]["cache"] == "unavailable" and answer["body"]["database"] == "ok"
    assert "the cache does not answer" in output


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
    answer, output = health_in_a_process(
        tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'no-such-directory' / 'db.sqlite3'}"
    )
    assert answer["status"] == 503
    assert answer["body"]["database"] == "unavailable" and answer["body"]["cache"] == "ok"
    assert "the database does not answer" in output


def test_healthz_is_200_with_the_real_settings(tmp_path):
    answer, _ = health_in_a_process(tmp_path)
    assert answer["status"] == 200 and answer["body"]["status"] == "ok"


# Logs

FAIL = (
    "from django.conf import settings\n"
    "storages = {**settings.STORAGES, 'staticfiles': "
    "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
    "with override_settings(ROOT_URLCONF='tests.error_urls', STORAGES=storages):\n"
    "    response = Client(raise_request_exception=False).get('/fail/?x=1')\n"
    "print('RESULT', response.status_code, response['X-Request-ID'])\n"
)


def failing_request(tmp_path, log_format):
    result = run_django(FAIL, **production_env(tmp_path, DJANGO_LOG_FORMAT=log_format))
    assert result.returncode == 0, result.stderr
    *lines, last = result.stdout.strip().splitlines()
    _, status, request_id = last.split()
    assert status == "500"
    assert result.stderr == ""
    return lines, request_id


def test_an_error_is_logged_once_as_a_json_line_with_path_and_request_id(tmp_path):
    lines, request_id = failing_request(tmp_path, "json")
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(records) == len(lines) == 1, lines
    [record] = records
    assert record["level"] == "ERROR" and record["logger"] == "django.request"
    assert record["path"] == "/fail/" and record["request_id"] == request_id
    assert record["status"] == 500
    assert "RuntimeError: a failure for the log test" in record["exception"]


def test_an_error_is_logged_once_as_text_with_path_and_request_id(tmp_path):
    lines, request_id = failing_request(tmp_path, "text")
    errors = [line for line in lines if " ERROR " in line]
    assert len(errors) == 1, lines
    assert f"[{request_id} /fail/]" in errors[0]
    assert sum("RuntimeError: a failure for the log test" in line for line in lines) == 1


# check --deploy and plain HTTP


def test_check_deploy_is_silent_with_the_example_environment(tmp_path):
    env = read_env_file(EXAMPLE_ENV)
    assert env["DJANGO_SECRET_KEY"] == "change-me"
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    env = {name: value for name, value in env.items() if value}
    result = run_django(
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n",
        **env,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_check_deploy_warns_without_the_https_variables(tmp_path):
    result = run_django(
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n",
        **production_env(tmp_path),
    )
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008"):
        assert warning in result.stderr


def test_without_the_https_variables_a_production_run_answers_plain_http(tmp_path):
    result = run_django(
        "response = Client().get('/healthz')\n"
        "print(response.status_code, response.has_header('Strict-Transport-Security'))\n",
        **production_env(tmp_path),
    )
    assert result.stdout.split() == ["200", "False"], result.stderr


def test_with_the_example_https_variables_plain_http_is_redirected(tmp_path):
    env = {
        name: value
        for name, value in read_env_file(EXAMPLE_ENV).items()
        if name.startswith("DJANGO_SECURE")
    }
    result = run_django(
        "client = Client()\n"
        "plain = client.get('/events/')\n"
        "https = client.get('/healthz', headers={'x-forwarded-proto': 'https'})\n"
        "print(plain.status_code, plain['Location'], https['Strict-Transport-Security'])\n"
        "print(client.get('/healthz').status_code)\n",
        **production_env(tmp_path, DJANGO_ALLOWED_HOSTS="testserver", **env),
    )
    first, second = result.stdout.strip().splitlines()[-2:]
    assert first.split(" ", 2) == [
        "301",
        "https://testserver/events/",
        "max-age=31536000; includeSubDomains; preload",
    ], result.stderr
    assert second == "200"  # a load balancer's health check is not redirected


def test_the_example_environment_names_every_variable_the_code_reads():
    code = "\n".join(
        path.read_text()
        for folder in ("histsite", "timeline", "deploy")
        for path in (BASE_DIR / folder).rglob("*.py")
    )
    read = set(
        re.findall(r"""(?:environ\.get|env_bool|env_list|environ)[(\[]["']([A-Z_]+)""", code)
    )
    read |= {"DATABASE_URL"}
    read -= {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    assert read - set(read_env_file(EXAMPLE_ENV)) == set()
    assert "DJANGO_SECURE_SSL_REDIRECT" in read


# deploy/


def test_the_nginx_template_renders_to_a_configuration_nginx_accepts(tmp_path):
    sys.path.insert(0, str(BASE_DIR / "deploy"))
    import nginx

    text = nginx.render(
        listen="127.0.0.1:18080",
        upstreams=["127.0.0.1:18081", "127.0.0.1:18082"],
        static_root=tmp_path / "static",
        media_root=tmp_path / "media",
        run_dir=tmp_path,
    )
    assert "@" not in "".join(line.split("#")[0] for line in text.splitlines())
    assert "server 127.0.0.1:18081;" in text and "server 127.0.0.1:18082;" in text
    assert f"alias {tmp_path / 'static'}/;" in text and f"alias {tmp_path / 'media'}/;" in text
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        message = "nginx is not installed; .ci/run installs it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    config = nginx.write(tmp_path, text)
    result = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_the_gunicorn_configuration_takes_workers_from_the_cpu_count():
    values = {}
    exec((BASE_DIR / "deploy" / "gunicorn.conf.py").read_text(), values)
    assert values["workers"] == os.cpu_count() * 2 + 1 or os.environ.get("GUNICORN_WORKERS")
    assert values["accesslog"] == "-" and values["timeout"] > 0 and values["graceful_timeout"] > 0


def test_the_admin_policy_addition_applies_to_the_admin_only(admin_client, settings, db):
    settings.ADMIN_CONTENT_SECURITY_POLICY_UPDATE = {"img-src": ["blob:"]}
    assert "blob:" in admin_client.get(reverse("admin:index"))["Content-Security-Policy"]
    assert "blob:" not in admin_client.get("/healthz")["Content-Security-Policy"]
