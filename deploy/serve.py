"""Run the site as in production on one machine: nginx in front of gunicorn.

    python deploy/serve.py [--listen 127.0.0.1:8000] [--app 127.0.0.1:8001]

gunicorn runs with deploy/gunicorn.conf.py on --app; nginx, rendered from
deploy/nginx.conf, listens on --listen, serves /static/ and /media/ itself and
passes the rest to gunicorn. Ctrl-C (or SIGTERM) stops both; if either stops,
the other is stopped too. Without nginx on the machine gunicorn answers on
--listen alone, with whitenoise serving the static files, and says so.
"""

import argparse
import getpass
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "deploy"))

import nginx  # noqa: E402


def gunicorn(bind):
    binary = Path(sys.executable).with_name("gunicorn")
    config = BASE_DIR / "deploy" / "gunicorn.conf.py"
    env = {**os.environ, "GUNICORN_BIND": bind}
    return subprocess.Popen([str(binary), "-c", str(config)], cwd=BASE_DIR, env=env)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:8000")
    parser.add_argument("--app", default="127.0.0.1:8001", help="gunicorn's address")
    args = parser.parse_args(argv)
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        print("nginx is not installed: gunicorn alone on", args.listen, flush=True)
        processes = [gunicorn(args.listen)]
    else:
        run_dir = Path(tempfile.mkdtemp(prefix="histsite-nginx-"))
        static_root, media_root = nginx.django_roots()
        config = nginx.write(
            run_dir,
            nginx.render(
                listen=args.listen,
                upstreams=[args.app],
                static_root=static_root,
                media_root=media_root,
                run_dir=run_dir,
                user=getpass.getuser(),
            ),
        )
        processes = [gunicorn(args.app), subprocess.Popen(nginx.command(config, run_dir))]
        print(f"nginx on http://{args.listen}/ in front of gunicorn on {args.app}", flush=True)

    def stop(*_):
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    finally:
        stop()
        for process in processes:
            process.wait(timeout=40)
    return max(process.returncode or 0 for process in processes)


if __name__ == "__main__":
    sys.exit(main())
