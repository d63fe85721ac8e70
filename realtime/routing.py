"""WebSocket URL routes; ``asgi.py`` mounts them behind origin and auth checks."""

from django.urls import path

from realtime.consumer import HubConsumer

websocket_urlpatterns = [path("ws/", HubConsumer.as_asgi())]
