"""Render deploy/nginx.conf for this machine's addresses and paths, and run nginx on it.

    python deploy/nginx.py [--listen ADDR] [--upstream ADDR ...] render   # print the file
    python deploy/nginx.py [--listen ADDR] [--upstream ADDR ...] run      # nginx, in front

`run` writes the configuration into --run-dir (beside nginx's pid file and temporary
files) and replaces itself with `nginx -g "daemon off;"`, so a service manager, make
or a test owns the process and stops it with SIGTERM (SIGQUIT for a graceful stop).
STATIC_ROOT and MEDIA_ROOT come from Django's settings unless given.
"""

import argparse
import getpass
import os
import shutil
import sys
import tempfile
from pathlib import Path

TEMPLATE = Path(__file__).resolve().with_name("nginx.conf")
SYSTEM_MIME_TYPES = Path("/etc/nginx/mime.types")
FALLBACK_MIME_TYPES = """types {
        text/html html; text/css css; application/javascript js; image/svg+xml svg;
        image/png png; image/jpeg jpg jpeg; image/webp webp; image/gif gif;
        application/json json; text/plain txt; font/woff2 woff2;
    }"""


def render(
    *,
    listen,
    upstreams,
    static_root,
    media_root,
    run_dir,
    user=None,
    error_log=None,
    access_log="/dev/stdout",
    forwarded_proto="$scheme",
):
    """Return deploy/nginx.conf with every @NAME@ filled in."""
    if not upstreams:
        raise ValueError("nginx needs at least one application server (--upstream).")
    mime = f"include {SYSTEM_MIME_TYPES};" if SYSTEM_MIME_TYPES.exists() else FALLBACK_MIME_TYPES
    values = {
        "USER": f"user {user};" if user and os.geteuid() == 0 else "",
        "RUN_DIR": str(run_dir),
        "ERROR_LOG": error_log or "stderr",
        "ACCESS_LOG": access_log,
        "MIME_TYPES": mime,
        "UPSTREAMS": "\n        ".join(f"server {address};" for address in upstreams),
        "LISTEN": listen,
        "STATIC_ROOT": str(Path(static_root).resolve()),
        "MEDIA_ROOT": str(Path(media_root).resolve()),
        "FORWARDED_PROTO": forwarded_proto,
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    if "@" in "".join(line.split("#")[0] for line in text.splitlines()):
        raise ValueError("deploy/nginx.conf names a value render() does not fill.")
    return text


def write(run_dir, text):
    """Write the configuration into run_dir and return its path."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / "nginx.conf"
    path.write_text(text)
    return path


def command(config_path, run_dir, nginx=None):
    """Return the command that runs nginx in front (not as a daemon) on config_path."""
    nginx = nginx or shutil.which("nginx") or "/usr/sbin/nginx"
    return [nginx, "-p", str(run_dir), "-c", str(config_path), "-g", "daemon off;"]


def django_roots():
    sys.path.insert(0, str(TEMPLATE.parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "histsite.settings")
    from django.conf import settings

    return settings.STATIC_ROOT, settings.MEDIA_ROOT


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("render", "run"))
    parser.add_argument("--listen", default="127.0.0.1:8000")
    parser.add_argument("--upstream", action="append", default=[], metavar="HOST:PORT")
    parser.add_argument("--static-root")
    parser.add_argument("--media-root")
    parser.add_argument("--run-dir", help="pid file, temporary files, rendered configuration")
    parser.add_argument("--user", default=getpass.getuser(), help="worker user, when root")
    parser.add_argument(
        "--forwarded-proto",
        default="$scheme",
        help="$http_x_forwarded_proto behind a load balancer that terminates TLS",
    )
    args = parser.parse_args(argv)
    static_root, media_root = args.static_root, args.media_root
    if not (static_root and media_root):
        default_static, default_media = django_roots()
        static_root, media_root = static_root or default_static, media_root or default_media
    run_dir = Path(args.run_dir or tempfile.mkdtemp(prefix="histsite-nginx-"))
    text = render(
        listen=args.listen,
        upstreams=args.upstream or ["127.0.0.1:8001"],
        static_root=static_root,
        media_root=media_root,
        run_dir=run_dir.resolve(),
        user=args.user,
        forwarded_proto=args.forwarded_proto,
    )
    if args.action == "render":
        sys.stdout.write(text)
        return
    config = write(run_dir, text)
    argv = command(config, run_dir.resolve())
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
