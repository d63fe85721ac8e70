"""Account forms: parse and validate input; writes happen in ``services``."""

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts.choices import CitizenCategory, Kecamatan
from accounts.models import User
from accounts.validators import normalize_phone


class _PhoneMixin:
    def clean_phone(self):
        return normalize_phone(self.cleaned_data.get("phone", ""))


class SignUpForm(_PhoneMixin, UserCreationForm):
    category = forms.ChoiceField(label=_("Citizen category"), choices=CitizenCategory.choices)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), choices=Kecamatan.choices)

    class Meta:
        model = User
        fields = ("username", "display_name", "email", "category", "kecamatan", "phone")
        labels = {"display_name": _("Name shown to others")}
        help_texts = {"phone": _("Optional. Never shown publicly.")}


class ProfileForm(_PhoneMixin, forms.ModelForm):
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), choices=Kecamatan.choices)

    class Meta:
        model = User
        fields = ("display_name", "email", "category", "kecamatan", "phone")
        labels = {"display_name": _("Name shown to others")}
