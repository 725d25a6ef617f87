"""Log lines for log collectors: ``KIM_LOG_FORMAT=json`` writes every record as one JSON object.

The request id of the request being served (``kim.core.middleware``) is added to every record
written while it runs, so an error logged deep inside a view can be matched with the request's
line (logger ``kim.request``), nginx's access log and what the user saw.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from typing import Any

# The id of the request this thread or task is serving; "" outside requests.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "kim_request_id", default=""
)

# Set by the request middleware as ``extra={FIELDS: {...}}``: flattened into the JSON object.
FIELDS = "kim_fields"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, request id, fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id.get()
        if request_id:
            entry["request_id"] = request_id
        entry.update(getattr(record, FIELDS, {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
