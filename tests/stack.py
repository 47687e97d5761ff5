"""The production stack in a test: gunicorn servers, nginx, and a browser-less client.

tests/test_stack.py and tests/loadtest.py start the servers with the files in
deploy/, exactly as production does, and sign in and save through the admin's
own forms (CSRF token and all) with the Client below.
"""

import http.client
import http.cookiejar
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEPLOY = BASE_DIR / "deploy"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
TEXT_INPUTS = {"text", "hidden", "number", "date", "email", "url", "password", "search", "time"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_binary():
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def reachable(host, port):
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def manage(env, *args):
    """Run manage.py with env; raise with its output if it fails."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


class Processes:
    """Processes started for a test, each with its output in a file, all stopped at the end."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.running = []

    def start(self, name, argv, env):
        log = open(self.directory / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(
            argv,
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append((name, process, log))
        return process

    def log(self, name):
        return (self.directory / f"{name}.log").read_text()

    def stop(self):
        for _, process, _ in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _, process, log in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()
        self.running = []


def start_gunicorn(processes, name, port, env, workers=2):
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)}
    return processes.start(name, [GUNICORN, "-c", str(DEPLOY / "gunicorn.conf.py")], env)


def start_nginx(processes, port, upstream_ports, static_root, media_root, run_dir):
    sys.path.insert(0, str(DEPLOY))
    import nginx

    text = nginx.render(
        listen=f"127.0.0.1:{port}",
        upstreams=[f"127.0.0.1:{upstream}" for upstream in upstream_ports],
        static_root=static_root,
        media_root=media_root,
        run_dir=run_dir,
        user="root" if os.geteuid() == 0 else None,
    )
    config = nginx.write(run_dir, text)
    return processes.start("nginx", nginx.command(config, run_dir, nginx_binary()), os.environ)


def wait_until_healthy(port, processes=None, timeout=60):
    """Wait for /healthz on port to answer 200; fail early if a process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (OSError, http.client.HTTPException):
            pass
        if processes:
            for name, process, _ in processes.running:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} stopped:\n{processes.log(name)[-3000:]}")
        time.sleep(0.2)
    raise RuntimeError(f"nothing healthy on port {port} after {timeout} s")


class FormParser(HTMLParser):
    """Collect what a browser would submit from the form with the given id."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields = []
        self.select = None
        self.select_first = None
        self.select_chosen = False
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text").lower()
            if kind in TEXT_INPUTS:
                self.fields.append((name, attrs.get("value") or ""))
            elif kind in ("checkbox", "radio") and "checked" in attrs:
                self.fields.append((name, attrs.get("value") or "on"))
        elif tag == "select" and name and "disabled" not in attrs:
            self.select, self.select_first, self.select_chosen = name, None, False
            self.multiple = "multiple" in attrs
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in attrs:
                self.fields.append((self.select, value))
                self.select_chosen = True
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            if not self.select_chosen and not self.multiple and self.select_first is not None:
                self.fields.append((self.select, self.select_first))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the newline that follows <textarea>.
            name, text = self.textarea
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self.textarea = None


def form_fields(html, form_id):
    parser = FormParser(form_id)
    parser.feed(html)
    return parser.fields


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """An HTTP client with cookies that does what a browser does with the admin's forms.

    Cookies are kept per host, not per port (as browsers keep them), so a session
    begun on one server is sent to the other.
    """

    def __init__(self, cookies=True):
        self.jar = http.cookiejar.CookieJar()
        handlers = [NoRedirect()]
        if cookies:
            handlers.append(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, url, data=None, headers=None, timeout=30):
        """Return (status, headers, body text); redirects are returned, not followed."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=timeout) as answer:
                return answer.status, answer.headers, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode("utf-8", "replace")

    def get(self, url, **kwargs):
        return self.request(url, **kwargs)

    def sign_in(self, base, username, password):
        status, _, html = self.get(f"{base}/admin/login/?next=/admin/")
        assert status == 200, (status, html[:500])
        fields = dict(form_fields(html, "login-form"))
        fields.update(username=username, password=password)
        status, headers, html = self.request(f"{base}/admin/login/?next=/admin/", data=fields)
        if status != 302:
            raise AssertionError(f"sign-in refused ({status}): {html[:2000]}")
        return headers["Location"]

    def change(self, base, path, form_id, **changes):
        """Open an admin change form, change fields, save; return (status, location, html)."""
        status, _, html = self.get(f"{base}{path}")
        assert status == 200, (status, html[:500])
        fields = [
            (name, value) for name, value in form_fields(html, form_id) if name not in changes
        ]
        fields += list(changes.items()) + [("_save", "Save")]
        status, headers, html = self.request(f"{base}{path}", data=fields)
        return status, headers.get("Location"), html
