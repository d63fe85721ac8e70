from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = _("Realtime hub and chat")

    def ready(self):
        from realtime.chat.topic import RoomTopic
        from realtime.hub import signals  # noqa: F401  (connects the kick-on-sign-out handlers)
        from realtime.hub.topics import register

        register(RoomTopic())
