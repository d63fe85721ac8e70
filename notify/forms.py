from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import Kecamatan, Role
from notify.kinds import all_kinds
from notify.models import Channel


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(label=_("Message"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))
    role = forms.ChoiceField(label=_("Only this role"), required=False,
                             choices=[("", _("Everyone"))] + list(Role.choices))
    kecamatan = forms.ChoiceField(label=_("Only this kecamatan"), required=False,
                                  choices=[("", _("All kecamatan"))] + list(Kecamatan.choices))


class PreferencesForm(forms.Form):
    """One choice field per registered notification kind."""

    def __init__(self, *args, initial_channels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in all_kinds():
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label, choices=Channel.choices, initial=initial_channels.get(kind.key),
                widget=forms.RadioSelect)


class MarkReadForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any integer is syntactically fine; ownership is the service's rule.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()
