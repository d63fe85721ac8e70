"""ASGI entry point: HTTP goes to Django; WebSockets pass the origin check (realtime/origin.py) and
the session/auth stack before reaching the realtime router.

``get_asgi_application()`` runs before any consumer is imported so that the
app registry is ready (Channels' documented order).
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")

from settings.env import ConfigError  # noqa: E402

try:
    from django.core.asgi import get_asgi_application

    django_asgi_app = get_asgi_application()
except ConfigError as exc:
    sys.stderr.write(f"configuration error: {exc}\n")
    sys.exit(2)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from common.metrics import serve as serve_metrics  # noqa: E402
from realtime import collector  # noqa: E402
from realtime.auth import auth_stack  # noqa: E402
from realtime.daphne import DaphneConnection  # noqa: E402
from realtime.origin import SameOriginValidator  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

serve_metrics(settings.METRICS_PORT, settings.METRICS_HOST)

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # DaphneConnection: close frames and the send buffer (realtime/daphne.py);
        # SameOriginValidator: scheme, host and port of the Origin (realtime/origin.py).
        "websocket": DaphneConnection(SameOriginValidator(
            auth_stack(URLRouter(websocket_urlpatterns))
        )),
    }
)

# Everything loaded so far lives as long as the process: out of the garbage
# collector's way, and its pauses rarer (realtime/collector.py).
collector.tune()
