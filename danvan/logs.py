"""Request ids and the log's two shapes: one JSON object a line (production) or readable text
(development), every line carrying the id of the request or background task it was written for.

Imported by the settings' ``LOGGING`` before Django is set up, so it needs nothing from it.
"""

import json
import logging
import re
import traceback
import uuid
from contextvars import ContextVar
from datetime import datetime
from zoneinfo import ZoneInfo

REQUEST_ID_HEADER = "X-Request-ID"

# What a proxy or a load balancer may hand us as an id: letters, digits and a few separators,
# short enough for a log line. Anything else is replaced, so nobody can write into the log
# through the header.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
task_id_var: ContextVar[str | None] = ContextVar("task_id", default=None)

# The fields a record may carry into a JSON line besides the standard ones. Nothing else passed
# with ``extra`` is written (Django's own records carry the whole request object).
EXTRA_FIELDS = (
    "method",
    "path",
    "status",
    "duration_ms",
    "user_id",
    "client_ip",
    "job_id",
)


def request_id_from(header: str | None) -> str:
    """The incoming ``X-Request-ID`` when it is a sane one, else a new random id."""
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request being answered in this thread or task, if any."""
    return request_id_var.get()


class ContextFilter(logging.Filter):
    """Add ``request_id`` and ``task_id`` to every record passing through the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs a 4xx answer after the middleware has finished, with the request.
            request = getattr(record, "request", None)
            record.request_id = request_id_var.get() or getattr(request, "request_id", None)
        if not hasattr(record, "task_id"):
            record.task_id = task_id_var.get()
        return True


class TextFormatter(logging.Formatter):
    """Readable lines for a developer's terminal: time, level, logger, [request id], message."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(context_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.context_id = (
            getattr(record, "request_id", None) or getattr(record, "task_id", None) or "-"
        )
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``time`` (ISO 8601 with the offset), ``level``, ``logger``,
    ``message``, ``request_id`` or ``task_id``, the access fields when present, and
    ``exception`` with the traceback."""

    def __init__(self, time_zone: str = "UTC"):
        super().__init__()
        self.zone = ZoneInfo(time_zone)

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, self.zone).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("request_id", "task_id"):
            value = getattr(record, name, None)
            if value:
                line[name] = value
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(*, json_lines: bool, level: str, access_log: bool, time_zone: str) -> dict:
    """The settings' ``LOGGING``: everything to the console through one handler, in one shape."""
    formatter = (
        {"()": "danvan.logs.JsonFormatter", "time_zone": time_zone}
        if json_lines
        else {"()": "danvan.logs.TextFormatter"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "danvan.logs.ContextFilter"}},
        "formatters": {"portal": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "portal",
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own records go to the one handler above (its default console handler
            # would print them a second time in development).
            "django": {"handlers": [], "level": level, "propagate": True},
            "axes": {"level": "WARNING"},
            # One line a request, from danvan.middleware.RequestIdMiddleware.
            "danvan.access": {"level": "INFO" if access_log else "WARNING"},
        },
    }
