from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = _("Aspirations")

    def ready(self):
        from django.conf import settings

        from common.jobs import register_periodic
        from forum import moderation, notifications, services
        from forum.topic import AspirationTopic
        from realtime.topics import register

        register(AspirationTopic())
        notifications.register()
        moderation.register()
        register_periodic("forum.deadlines", settings.FORUM_SCAN_SECONDS, services.deadlines_scan)
