"""Agencies of the regency (SKPD) and kecamatan offices."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    SECRETARIAT = "sekretariat", _("Secretariat")
    DINAS = "dinas", _("Agency (Dinas)")
    BADAN = "badan", _("Board (Badan)")
    KECAMATAN = "kecamatan", _("District office (Kecamatan)")


class Agency(models.Model):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=160)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=AgencyKind.choices)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_agencies",
    )

    class Meta:
        ordering = ("kind", "name")
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class Official(models.Model):
    """An official's public profile: who they are, in which agency. Their
    replies and answers carry this title and agency."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official")
    title = models.CharField(_("title"), max_length=120, help_text=_("e.g. Bupati, Kepala Dinas Kesehatan"))
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="officials")
    bio = models.TextField(_("short bio"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")

    def __str__(self) -> str:
        return f"{self.title} — {self.user}"


class Delegate(models.Model):
    """A staff account that may act on an official's behalf (answer in their
    Q&A sessions, shown as "answered by staff …"). Named by an administrator
    or by the official; removing the row ends it."""

    official = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("official"), on_delete=models.CASCADE,
                                 related_name="delegates")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff"), on_delete=models.CASCADE,
                              related_name="delegations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["official", "staff"], name="officials_delegate_unique")]
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")

    def __str__(self) -> str:
        return f"{self.staff} → {self.official}"
