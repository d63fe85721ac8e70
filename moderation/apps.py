from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self):
        from django.conf import settings

        from moderation import kinds  # noqa: F401  (registers the notification kinds)
        from moderation.integrations import chat
        from moderation.services import queue_reconcile
        from moderation.topic import ConsoleTopic
        from realtime.hub.topics import register
        from realtime.jobs import register_periodic

        chat.register()
        register(ConsoleTopic())
        register_periodic("moderation.reconcile", settings.MODERATION_RECONCILE_SECONDS, queue_reconcile)
