"""The forum pages' forms: they parse input only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import Kecamatan
from forum import rules
from forum.models import Category, Privacy, Status
from forum.selectors import SORTS
from officials.models import Agency

SORT_LABELS = {"newest": _("Newest"), "supported": _("Most supported"), "overdue": _("Most overdue")}


def _blank(label) -> list[tuple[str, object]]:
    return [("", label)]


class ListFilterForm(forms.Form):
    """The list's GET form. Unknown values are ignored, never an error."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    sort = forms.ChoiceField(label=_("Sort by"), required=False,
                             choices=[(value, SORT_LABELS[value]) for value in SORTS])
    category = forms.ChoiceField(label=_("Category"), required=False)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False,
                                  choices=_blank(_("All kecamatan")) + list(Kecamatan.choices))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_blank(_("All statuses")) + list(Status.choices))
    agency = forms.ChoiceField(label=_("Agency"), required=False)

    def __init__(self, *args, categories, agencies, language, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _blank(_("All categories")) + [
            (category.slug, category.name(language)) for category in categories]
        self.fields["agency"].choices = _blank(_("All agencies")) + [
            (agency.slug, agency.short_name or agency.name) for agency in agencies]

    def filters(self) -> dict[str, str]:
        """The valid filters (empty strings for the rest)."""
        data = self.cleaned_data if self.is_valid() else {}
        keys = ("sort", "category", "kecamatan", "status", "agency")
        filters = {key: data.get(key) or "" for key in keys}
        if not self.is_valid():  # keep each value that is valid on its own
            for key in keys:
                value = self.data.get(key, "")
                if value in dict(self.fields[key].choices):
                    filters[key] = value
        filters["sort"] = filters["sort"] or "newest"
        return filters


class CategorySelect(forms.Select):
    """Each option says its default privacy (the page preselects it)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-privacy"] = instance.default_privacy
        return option


class ComposeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=rules.MAX_TITLE)
    body = forms.CharField(
        label=_("Your aspiration"), max_length=rules.MAX_BODY, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text with a little formatting: *italic*, **bold**, lists starting with - or 1., "
                    "quotes starting with >, and `code`. Links are kept; headings, images and HTML are not."))
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(active=True), to_field_name="slug",
        empty_label=_("Choose a category"), widget=CategorySelect,
        error_messages={"invalid_choice": _("Choose one of the categories."),
                        "required": _("Choose a category.")})
    kecamatan = forms.ChoiceField(label=_("Kecamatan"),
                                  choices=_blank(_("Choose a kecamatan")) + list(Kecamatan.choices),
                                  error_messages={"required": _("Choose a kecamatan.")})
    desa = forms.CharField(label=_("Desa/kelurahan (optional)"), max_length=80, required=False)
    privacy = forms.ChoiceField(
        label=_("Who may see it"), required=False, widget=forms.RadioSelect,
        choices=[("", _("The category's default (shown next to each category)"))] + list(Privacy.choices),
        help_text=_("Health, social assistance and population documents are confidential unless you choose "
                    "otherwise."))

    def __init__(self, *args, language="id", **kwargs):
        super().__init__(*args, **kwargs)
        privacy_names = dict(Privacy.choices)
        self.fields["category"].label_from_instance = lambda category: (
            f"{category.name(language)} — {privacy_names[category.default_privacy]}")


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=rules.MAX_REPLY, widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("Official response"), max_length=rules.MAX_REPLY,
                           widget=forms.Textarea(attrs={"rows": 4}))


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(choices=list(Status.choices))
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.all(), required=False,
                                    empty_label=_("Choose an agency"),
                                    error_messages={"invalid_choice": _("That agency does not exist.")})


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Your rating"), coerce=int, widget=forms.RadioSelect,
                                    choices=[(n, str(n)) for n in range(1, 6)],
                                    error_messages={"invalid_choice": _("A rating is a whole number from 1 to 5."),
                                                    "required": _("A rating is a whole number from 1 to 5.")})
    comment = forms.CharField(label=_("Comment (optional)"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    reason = forms.CharField(max_length=40)
    note = forms.CharField(max_length=300, required=False)


def first_error(form: forms.Form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else None
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return ""
