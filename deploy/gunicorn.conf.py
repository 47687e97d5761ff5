"""gunicorn's configuration: `gunicorn -c deploy/gunicorn.conf.py histsite.wsgi`.

Every value can be changed from the environment (GUNICORN_*), so one file serves
a laptop, CI and each production machine.

Graceful reload: `kill -HUP $(cat "$GUNICORN_PIDFILE")` starts new workers on the
new code and lets the old ones finish their requests (up to graceful_timeout)
before they exit; no request is dropped.
"""

import multiprocessing
import os

wsgi_app = "histsite.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")

# Sync workers: gunicorn's advice is (2 × cores) + 1 for code that waits on a database.
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"

# A request running longer than this is killed and logged; nginx gives up a little later.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
# How long a worker has to finish its request after a reload or a stop.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 30)
# nginx keeps connections to the upstream open between requests.
keepalive = 5

# Recycle workers now and then so that a slow leak never grows; jittered so they
# do not all restart at once.
max_requests = 2000
max_requests_jitter = 200

# Access log and errors to stdout / stderr, for the service manager or a log collector.
# The request id is nginx's $request_id, which Django logs with its own lines.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}i)s "%(a)s"'

pidfile = os.environ.get("GUNICORN_PIDFILE") or None
# gunicorn's control socket has one default path per user, which two servers on one
# machine would share; signals (HUP, TERM) and the pid file do all that is needed.
control_socket_disable = True
# Only the local nginx may say which scheme and address a request came with.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load the code in each worker, not in the master, so HUP picks up new code.
preload_app = False
reload = os.environ.get("GUNICORN_RELOAD", "").lower() in {"1", "true", "yes"}
