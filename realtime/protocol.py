"""Parsing and validating client frames. Every check that a frame is well
formed lives here; the consumer only dispatches what passes.

The machine-readable description of the core frames is ``realtime/schema.json``;
each topic kind describes its own frames in a fragment (``realtime/schema.py``).
The tests validate both directions against them.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from common.errors import AppError
from realtime.errors import INVALID, TOO_LARGE, UNKNOWN_TYPE

MAX_FRAME_BYTES = 16 * 1024
MAX_REF_LENGTH = 64
MAX_HISTORY_LIMIT = 100
TOPIC_RE = re.compile(r"^[a-z]{1,20}\.[a-z0-9][a-z0-9\-_]{0,63}$")

#: The client frames the hub core handles itself; topic kinds add theirs.
CORE_TYPES = frozenset({"join", "leave", "history", "ping"})
MAX_TYPE_LENGTH = 32


@dataclass(frozen=True)
class Frame:
    type: str
    ref: str | None
    data: dict[str, Any]

    def topic(self) -> str:
        topic = self.data.get("topic")
        # fullmatch: with match, "$" also accepts a trailing newline ("room.x\n").
        if not isinstance(topic, str) or not TOPIC_RE.fullmatch(topic):
            raise AppError(INVALID, _("The topic must look like 'room.<slug>'."))
        return topic

    def optional_id(self, field: str) -> int | None:
        value = self.data.get(field)
        if value is None:
            return None
        return _positive_int(field, value, allow_zero=True)

    def required_id(self, field: str) -> int:
        if field not in self.data:
            raise AppError(INVALID, _("'%(field)s' is required.") % {"field": field})
        return _positive_int(field, self.data[field], allow_zero=False)

    def limit(self, default: int) -> int:
        value = self.data.get("limit", default)
        number = _positive_int("limit", value, allow_zero=False)
        return min(number, MAX_HISTORY_LIMIT)

    def text(self, field: str) -> str:
        value = self.data.get(field)
        if not isinstance(value, str):
            raise AppError(INVALID, _("'%(field)s' must be a string.") % {"field": field})
        return value

    def client_id(self) -> str:
        value = self.data.get("client_id")
        if not isinstance(value, str):
            raise AppError(INVALID, _("'client_id' must be a UUID string."))
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise AppError(INVALID, _("'client_id' must be a UUID string.")) from None


def _positive_int(field: str, value: Any, *, allow_zero: bool) -> int:
    # bool is an int subclass: reject it explicitly.
    if isinstance(value, bool) or not isinstance(value, int):
        raise AppError(INVALID, _("'%(field)s' must be an integer.") % {"field": field})
    if value < 0 or (value == 0 and not allow_zero) or value > 2**53:
        raise AppError(INVALID, _("'%(field)s' is out of range.") % {"field": field})
    return value


def _is_ref(value: Any) -> bool:
    """A string the server can echo: at most ``MAX_REF_LENGTH`` characters and
    valid Unicode (JSON can spell a lone surrogate, which no UTF-8 frame can
    carry: echoing one would kill the socket)."""
    if not isinstance(value, str) or len(value) > MAX_REF_LENGTH:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def peek_ref(data: Any) -> str | None:
    """The frame's ``ref`` if it is a usable one, so even errors can echo it."""
    if isinstance(data, dict) and _is_ref(ref := data.get("ref")):
        return ref
    return None


def parse_frame(text: str | None, binary: bytes | None) -> Frame:
    """Turn one WebSocket message into a ``Frame`` or raise ``AppError``."""
    if binary is not None:
        raise AppError(INVALID, _("Binary frames are not accepted; send JSON text."))
    if text is None:
        raise AppError(INVALID, _("The frame is empty."))
    if len(text) > MAX_FRAME_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        raise AppError(TOO_LARGE, _("Frames are limited to %(bytes)d bytes.") % {"bytes": MAX_FRAME_BYTES})
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise AppError(INVALID, _("The frame is not JSON.")) from None
    try:
        return _frame_from(data)
    except AppError as exc:
        exc.ref = peek_ref(data)
        raise


def _frame_from(data: Any) -> Frame:
    if not isinstance(data, dict):
        raise AppError(INVALID, _("A frame must be a JSON object."))
    ref = data.get("ref")
    if ref is not None and not _is_ref(ref):
        raise AppError(INVALID, _("'ref' must be a string of at most %(n)d characters.") % {"n": MAX_REF_LENGTH})
    frame_type = data.get("type")
    if not isinstance(frame_type, str):
        raise AppError(INVALID, _("'type' is required."))
    if len(frame_type) > MAX_TYPE_LENGTH:
        raise unknown_type(frame_type)
    return Frame(type=frame_type, ref=ref, data=data)


def unknown_type(frame_type: str) -> AppError:
    return AppError(UNKNOWN_TYPE, _("Unknown frame type %(type)s.") % {"type": repr(frame_type[:MAX_TYPE_LENGTH])})


def schema_refusal(errors: list) -> AppError:
    """The ``invalid`` error for a frame its schema refused: the first field
    at fault, in the user's language."""
    error = min(errors, key=lambda e: (len(e.path), e.message))
    if error.validator == "required":
        missing = next((name for name in error.validator_value if name not in error.instance), "?")
        return AppError(INVALID, _("'%(field)s' is required.") % {"field": missing})
    field = str(error.path[0]) if error.path else "type"
    return AppError(INVALID, _("'%(field)s' is not valid.") % {"field": field})


def encode(frame: dict) -> str:
    """Server frames are compact JSON; non-ASCII stays readable (UTF-8)."""
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
