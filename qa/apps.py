from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QaConfig(AppConfig):
    name = "qa"
    verbose_name = _("Q&A sessions")

    def ready(self):
        from django.conf import settings

        from common.jobs import register_periodic
        from qa import notifications, services

        notifications.register()
        register_periodic("qa.sessions", settings.QA_TICK_SECONDS, services.sessions_tick)
        register_periodic("qa.reminders", settings.QA_TICK_SECONDS, services.reminders_send)
