from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = _("Realtime hub")

    def ready(self):
        from realtime import signals  # noqa: F401  (connects the kick-on-sign-out handlers)
