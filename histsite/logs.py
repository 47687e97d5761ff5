"""Log records that name the request they came from, as text or as JSON lines.

RequestIdMiddleware (histsite/middleware.py) keeps the current request's id and
path in context variables; RequestFilter copies them onto every record, so a
line written anywhere while a request is served says which request it was.
"""

import contextvars
import datetime
import json
import logging

request_id = contextvars.ContextVar("request_id", default="-")
request_path = contextvars.ContextVar("request_path", default="-")

# Attributes every LogRecord has; anything else on a record was passed in extra=.
STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class RequestFilter(logging.Filter):
    """Add request_id and path to every record (a dash outside a request)."""

    def filter(self, record):
        record.request_id = request_id.get()
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        record.path = path if isinstance(path, str) else request_path.get()
        return True


class JSONFormatter(logging.Formatter):
    """Write each record as one JSON object on one line."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "path": getattr(record, "path", "-"),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        for name, value in vars(record).items():
            if name not in STANDARD_ATTRIBUTES and name not in entry and name != "request":
                entry[name] = value if isinstance(value, str | int | float | bool) else str(value)
        return json.dumps(entry, ensure_ascii=False)
