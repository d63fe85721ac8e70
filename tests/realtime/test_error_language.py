"""Error details come in the socket's language: Bahasa Indonesia unless the
visitor chose English with the switcher (the django_language cookie)."""

from channels.testing import WebsocketCommunicator

from asgi import application
from tests.hub import HOST, ORIGIN, Socket


async def _guest(cookie: str | None) -> Socket:
    headers = [ORIGIN, HOST] + ([(b"cookie", cookie.encode())] if cookie else [])
    comm = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await comm.connect()
    assert connected
    return Socket(comm)


async def test_error_details_follow_the_chosen_language(transactional_db):
    indonesian, english = await _guest(None), await _guest("django_language=en")
    try:
        for socket, expected in ((indonesian, "Bingkai data bukan JSON."), (english, "The frame is not JSON.")):
            await socket.send_raw("{not json")
            error = await socket.recv()
            assert error["code"] == "invalid" and error["detail"] == expected
    finally:
        await indonesian.close()
        await english.close()
