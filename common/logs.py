"""What every log line says about where it came from: the request id of the
HTTP request being answered (``ops/middleware.py``: nginx's ``X-Request-ID``
or a new one) or the connection id of the WebSocket being served
(``realtime/consumer.py``). ``ContextFilter`` puts both on each record; in
production ``settings/prod.py`` writes the records as JSON lines
(python-json-logger), one object per line with these fields."""

from __future__ import annotations

import logging
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
connection_id: ContextVar[str | None] = ContextVar("connection_id", default=None)


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.connection_id = connection_id.get()
        return True
