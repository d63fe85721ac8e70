from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Personal data")

    def ready(self):
        from django.conf import settings

        from common import pii
        from common.jobs import register_periodic
        from privacy import services

        pii.unmasked_shown.connect(services.unmask_record_signal, dispatch_uid="privacy.unmask_log")
        register_periodic("privacy.retention", settings.PRIVACY_PURGE_SECONDS, services.retention_purge)
