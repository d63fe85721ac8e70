from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Chat rooms")

    def ready(self):
        from chat import moderation, notifications, signals  # noqa: F401  (signals: connects them)
        from chat.topic import RoomTopic
        from realtime.topics import register

        register(RoomTopic())
        notifications.register()
        moderation.register()
