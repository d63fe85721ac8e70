from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = _("Realtime hub and chat")

    def ready(self):
        from django.conf import settings

        from realtime import jobs
        from realtime.chat.topic import RoomTopic
        from realtime.hub import signals  # noqa: F401  (connects the kick-on-sign-out handlers)
        from realtime.hub.topics import register
        from realtime.notify import services as notify_services
        from realtime.notify.topic import NotifyTopic

        register(RoomTopic())
        register(NotifyTopic())
        jobs.register_job("notify.announcement", notify_services.announcement_deliver)
        jobs.register_periodic("notify.digest", settings.NOTIFY_DIGEST_SECONDS,
                               notify_services.notification_digest_send)
