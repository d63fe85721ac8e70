"""WebSocket URL routes; ``asgi.py`` mounts them behind origin and auth checks."""

websocket_urlpatterns: list = []
