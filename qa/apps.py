from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QaConfig(AppConfig):
    name = "qa"
    verbose_name = _("Q&A sessions")

    def ready(self):
        from django.conf import settings

        from common.jobs import register_periodic
        from qa import notifications, services, signals  # noqa: F401  (signals: connects them)
        from qa.topic import SessionTopic
        from realtime.topics import register

        register_periodic("qa.sessions", settings.QA_TICK_SECONDS, services.sessions_tick)
        register(SessionTopic())
        notifications.register()
