"""JSON log lines: one object per line, in UTC, with the request id, so that a value with a line
break in it cannot forge a second entry."""

import json
import logging
import re
from datetime import UTC, datetime

from .request_context import get_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = get_request_id()
        return True


# Paths whose last part is a credential: the court calendar feed's link is its only secret.
SECRET_PATH = re.compile(r"/calendar/[^/\s'\"]+\.ics")
REDACTED_PATH = "/calendar/[redacted].ics"


def redact_paths(text: str) -> str:
    return SECRET_PATH.sub(REDACTED_PATH, text)


class SecretPathFilter(logging.Filter):
    """Masks secret paths in a record's message and in the request Django attaches to it (a
    failing calendar feed request would otherwise log its link)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if SECRET_PATH.search(message):
            record.msg, record.args = redact_paths(message), ()
        request = getattr(record, "request", None)
        if request is not None and SECRET_PATH.search(str(request)):
            record.request = redact_paths(str(request))
        return True


class JsonFormatter(logging.Formatter):
    _STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC)
            .isoformat()
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        extra = {k: v for k, v in vars(record).items() if k not in self._STANDARD}
        if extra:
            entry["extra"] = extra
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
