from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "notify"
    verbose_name = _("Notifications")

    def ready(self):
        from django.conf import settings

        from common import jobs
        from notify import services
        from notify.topic import NotifyTopic
        from realtime.topics import register

        register(NotifyTopic())
        jobs.register_job("notify.announcement", services.announcement_deliver)
        jobs.register_job("notify.email", services.notification_email_send)
        jobs.register_periodic("notify.announcements", settings.NOTIFY_ANNOUNCEMENT_RETRY_SECONDS,
                               services.announcement_requeue_stalled)
        jobs.register_periodic("notify.digest", settings.NOTIFY_DIGEST_SECONDS, services.notification_digest_send)
