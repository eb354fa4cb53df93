"""Logging: one LOGGING dictionary for Django and gunicorn, in text or one JSON object a line.

`STEMHUB_LOG_FORMAT=text` (the default, `make run`) writes "time level logger [request id]
message"; `json` (the deployment recipe) writes one JSON object per line for a log shipper.
The JSON formatter is a few lines on the standard library's `json` rather than a dependency:
what it must do beyond the usual fields is specific to us (the request id, and gunicorn's
access-log fields as named keys), and python-json-logger would need the same code around it.

No Django import here: settings and the gunicorn config both build their LOGGING from this.
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["text", "json"]
FORMATS: tuple[LogFormat, ...] = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

# The attributes every LogRecord has; anything else on a record came from `extra=` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}

# gunicorn's access-log atoms (gunicorn.glogging.Logger.atoms) under readable names.
_ACCESS_ATOMS = {
    "h": "remote_addr",
    "m": "method",
    "U": "path",
    "q": "query",
    "H": "protocol",
    "s": "status",
    "B": "bytes",
    "f": "referer",
    "a": "user_agent",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, request_id,
    the exception's traceback when there is one, and whatever `extra=` added."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            entry.update(_access_fields(record.args))
        else:
            entry["message"] = record.getMessage()
            entry["request_id"] = getattr(record, "request_id", "-")
        entry["process"] = record.process
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        return json.dumps(entry, default=str, ensure_ascii=False)


def _access_fields(atoms: Any) -> dict[str, Any]:
    """gunicorn's access record: the request line's parts, the status, the duration, and the
    request id the application put on the response (the access line is written after the
    request's own context is gone, so it is read from the response header)."""
    fields: dict[str, Any] = {"message": "request"}
    for atom, name in _ACCESS_ATOMS.items():
        value = atoms.get(atom)
        if value not in (None, "-", ""):
            fields[name] = value
    if "status" in fields:
        fields["status"] = int(fields["status"])
    fields["duration_ms"] = round(int(atoms.get("D", 0)) / 1000, 3)
    fields["request_id"] = atoms.get("{x-request-id}o", "-")
    return fields


def logging_config(log_format: LogFormat, level: str) -> dict[str, Any]:
    """The LOGGING dictionary: one stderr handler with the request-id filter, in `log_format`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "stemhub.core.request_id.RequestIdFilter"}},
        "formatters": {
            "text": {"format": TEXT_FORMAT},
            "json": {"()": "stemhub.core.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }
