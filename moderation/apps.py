from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self):
        from django.conf import settings

        from common.jobs import register_periodic
        from moderation import kinds  # noqa: F401  (registers the notification kinds)
        from moderation.queues import register_queue, reports_queue
        from moderation.services import queue_reconcile
        from moderation.topic import ConsoleTopic
        from realtime.topics import register

        register(ConsoleTopic())
        register_queue(reports_queue(_("Reported content")))
        register_periodic("moderation.reconcile", settings.MODERATION_RECONCILE_SECONDS, queue_reconcile)

        # A sanctioned user is told at sign-in what happened, and how to appeal:
        # a ban refuses the sign-in with its reason (accounts/signin.py), a mute is said after it.
        from django.contrib.auth.signals import user_logged_in

        from accounts.signin import register_inactive_reason
        from moderation.notices import ban_notice, tell_mutes_at_sign_in

        register_inactive_reason(ban_notice)
        user_logged_in.connect(tell_mutes_at_sign_in, dispatch_uid="moderation.mutes_at_sign_in")
