"""A request id for each HTTP request: the one nginx sends (``X-Request-ID:
$request_id``, ops/deploy/nginx/balai.conf) when it is a plain token, else a
new one; set for the request's log lines (``common/logs.py``) and returned
in the response's ``X-Request-ID``, so a user's report, nginx's access log
and the app's log meet."""

from __future__ import annotations

import re
import uuid

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from common.logs import request_id

HEADER = "X-Request-ID"
_TOKEN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _request_id(request) -> str:
    given = request.headers.get(HEADER, "")
    return given if _TOKEN.match(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        value = _request_id(request)
        token = request_id.set(value)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = value
        return response

    async def _acall(self, request):
        value = _request_id(request)
        token = request_id.set(value)
        try:
            response = await self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = value
        return response
