"""The fan-out writes each event's WebSocket frame itself under Daphne
(``realtime.daphne.text_frame``): what a standard client reads from those
bytes is the event's text, whatever its length or script."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from realtime.daphne import text_frame


def parse(data: bytes) -> Frame:
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        return done.value
    raise AssertionError("the frame is incomplete")


@pytest.mark.parametrize("length", [0, 1, 125, 126, 127, 65535, 65536, 200_000])
def test_a_client_reads_the_text_back_at_every_length_boundary(length):
    text = ('{"type":"message","body":"' + "x" * length + '"}').encode()
    frame = parse(text_frame(text))
    assert frame.opcode == Opcode.TEXT
    assert frame.fin
    assert frame.data == text


def test_non_ascii_text_survives():
    text = '{"body":"Pak Bupati, jalan di Desa Sukoharjo rusak — tolong 🙏 ñ"}'.encode()
    frame = parse(text_frame(text))
    assert frame.data.decode() == text.decode()
