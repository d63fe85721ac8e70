"""The log of unmasked personal data shown to staff (who, what, when)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnmaskEntry(models.Model):
    """A staff member (moderator, administrator, agency insider) was shown a
    text with a NIK or phone number unmasked. Administrators read the log in
    the admin; it is kept for ``PRIVACY_UNMASK_LOG_DAYS``."""

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("shown to"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("whose data"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    target = models.CharField(_("what"), max_length=80, help_text=_("the text shown, e.g. chat.message:42"))
    kinds = models.CharField(_("personal data"), max_length=40)
    where = models.CharField(_("where"), max_length=40)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("unmasked personal data shown")
        verbose_name_plural = _("unmasked personal data shown")
        ordering = ("-id",)

    def __str__(self) -> str:
        return f"{self.viewer_id} saw {self.kinds} in {self.target}"


class RetentionMark(models.Model):
    """How far a retention purge got (``services.retention_purge``): rows
    older than ``done_until`` were purged already."""

    name = models.CharField(max_length=32, unique=True)
    done_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("retention mark")
        verbose_name_plural = _("retention marks")

    def __str__(self) -> str:
        return f"{self.name} until {self.done_until}"
