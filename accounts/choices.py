"""The fixed vocabularies of an account: role, citizen category, kecamatan.

``Role`` is the single source of truth for what a user may do; Django's
``is_staff``/``is_superuser`` are derived from it (see ``accounts.models``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    OFFICIAL = "official", _("Official")
    MODERATOR = "moderator", _("Moderator")
    ADMIN = "admin", _("Administrator")


# Roles that only an administrator may hand out; sign-up always makes citizens.
PROVISIONED_ROLES = frozenset({Role.OFFICIAL, Role.MODERATOR, Role.ADMIN})


class CitizenCategory(models.TextChoices):
    """The user classes of the regency's e-government plan."""

    UMUM = "umum", _("General public (Umum)")
    BISNIS = "bisnis", _("Business (Bisnis)")
    PEMERINTAH = "pemerintah", _("Government (Pemerintah)")
    PNS = "pns", _("Civil servant (PNS)")
    WNA = "wna", _("Foreign national (WNA)")


class Kecamatan(models.TextChoices):
    """The 21 kecamatan (districts) of Kabupaten Pati. Proper names: not translated."""

    BATANGAN = "batangan", "Batangan"
    CLUWAK = "cluwak", "Cluwak"
    DUKUHSETI = "dukuhseti", "Dukuhseti"
    GABUS = "gabus", "Gabus"
    GEMBONG = "gembong", "Gembong"
    GUNUNGWUNGKAL = "gunungwungkal", "Gunungwungkal"
    JAKEN = "jaken", "Jaken"
    JAKENAN = "jakenan", "Jakenan"
    JUWANA = "juwana", "Juwana"
    KAYEN = "kayen", "Kayen"
    MARGOREJO = "margorejo", "Margorejo"
    MARGOYOSO = "margoyoso", "Margoyoso"
    PATI = "pati", "Pati"
    PUCAKWANGI = "pucakwangi", "Pucakwangi"
    SUKOLILO = "sukolilo", "Sukolilo"
    TAMBAKROMO = "tambakromo", "Tambakromo"
    TAYU = "tayu", "Tayu"
    TLOGOWUNGU = "tlogowungu", "Tlogowungu"
    TRANGKIL = "trangkil", "Trangkil"
    WEDARIJAKSA = "wedarijaksa", "Wedarijaksa"
    WINONG = "winong", "Winong"
