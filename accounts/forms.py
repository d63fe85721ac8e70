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


#: Said under the e-mail field wherever it may be left empty.
EMAIL_HELP = _("Optional. Without an e-mail address a forgotten password cannot be reset: "
               "keep your password safe. Never shown publicly.")


class SignUpForm(_PhoneMixin, UserCreationForm):
    category = forms.ChoiceField(label=_("Citizen category"), choices=CitizenCategory.choices)
    # The citizen chooses: an empty first option, and none is taken for them.
    kecamatan = forms.ChoiceField(label=_("Kecamatan"),
                                  choices=[("", _("— Choose your kecamatan —")), *Kecamatan.choices],
                                  error_messages={"required": _("Choose your kecamatan.")})

    class Meta:
        model = User
        fields = ("username", "display_name", "email", "category", "kecamatan", "phone")
        labels = {"display_name": _("Name shown to others")}
        help_texts = {"phone": _("Optional. Never shown publicly."), "email": EMAIL_HELP}


class ProfileForm(_PhoneMixin, forms.ModelForm):
    """The owner's profile. The stored phone is never put back into the page
    (it is shown masked beside the form): ``phone`` starts empty, and
    ``cleaned_data["phone"]`` is ``None`` when the number stays as it is."""

    kecamatan = forms.ChoiceField(label=_("Kecamatan"), choices=Kecamatan.choices)
    # Not a model field of this form, so the instance's number is not rendered.
    phone = forms.CharField(
        label=_("New phone number"),
        required=False,
        max_length=30,
        help_text=_("Leave empty to keep the number on file. Never shown publicly."),
    )
    remove_phone = forms.BooleanField(label=_("Remove my phone number"), required=False)

    class Meta:
        model = User
        fields = ("display_name", "email", "category", "kecamatan")
        labels = {"display_name": _("Name shown to others")}
        help_texts = {"email": EMAIL_HELP}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("remove_phone"):
            cleaned["phone"] = ""
        elif not cleaned.get("phone"):
            cleaned["phone"] = None
        return cleaned


class SecondStepForm(forms.Form):
    """The code of the second sign-in step: the app's six digits, or a
    recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                      "autocapitalize": "off", "spellcheck": "false"}),
    )


class EnrolForm(forms.Form):
    """The first code of the authenticator app being set up."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        help_text=_("The six digits the app shows after you added Balai Warga."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
