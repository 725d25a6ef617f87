"""Forms of the directory: the list's filter, an entry, its end, a text in a further language,
a new version of a topic, the import file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kim.core import languages
from kim.core.forms import ModelMultipleChoiceField, PlausibleDateField
from kim.network.directory.queries import sphere_choices
from kim.network.models import Service, ServiceTopic
from kim.network.reference_data import TOPICS
from kim.organisations.models import Organisation

CURRENT, ALL = "current", "all"


class ServiceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    sphere = forms.ChoiceField(label=_("Legal sphere"), required=False)
    town = forms.ChoiceField(label=_("Town"), required=False)
    language = forms.ChoiceField(label=_("Language offered"), required=False)
    valid = forms.ChoiceField(
        label=_("Validity"),
        required=False,
        choices=[(CURRENT, _("Only entries valid today")), (ALL, _("All, also ended and future"))],
    )
    due = forms.BooleanField(label=_("Only entries to confirm"), required=False)

    def __init__(
        self,
        data: Any,
        *,
        topics: list[ServiceTopic],
        towns: list[Organisation],
        maintainer: bool,
    ) -> None:
        super().__init__(data)
        every = [("", _("all"))]
        self.fields["topic"].choices = every + [(t.key, t.name) for t in topics]  # type: ignore[attr-defined]
        self.fields["sphere"].choices = every + sphere_choices()  # type: ignore[attr-defined]
        self.fields["town"].choices = every + [(str(t.pk), t.name) for t in towns]  # type: ignore[attr-defined]
        self.fields["language"].choices = every + languages.choices()  # type: ignore[attr-defined]
        if not maintainer:
            del self.fields["due"]


class _CheckboxField(ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class ServiceForm(forms.Form):
    """An entry (new or changed). Only office contact data: the service's phone, e-mail and
    website, never a named employee's."""

    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("Name of the service"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    topics = _CheckboxField(label=_("Topics"), queryset=ServiceTopic.objects.none())
    legal_spheres = forms.MultipleChoiceField(
        label=_("Legal spheres"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Left empty: the legal spheres the chosen topics usually touch."),
    )
    towns = _CheckboxField(
        label=_("Towns served"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Left empty: the whole Kreis."),
    )
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea)
    opening_hours = forms.CharField(label=_("Opening hours"), required=False, widget=forms.Textarea)
    languages = forms.MultipleChoiceField(
        label=_("Languages offered"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Languages in which counselling is offered (without an interpreter)."),
    )
    accessibility = forms.CharField(label=_("Accessibility"), required=False, widget=forms.Textarea)
    step_free = forms.NullBooleanField(label=_("Step-free access"), required=False)
    appointment = forms.CharField(
        label=_("How to get an appointment"), required=False, widget=forms.Textarea
    )
    phone = forms.CharField(
        label=_("Office phone"),
        required=False,
        max_length=60,
        help_text=_("Office contact only: the service's number, never a person's private one."),
    )
    email = forms.EmailField(
        label=_("Office e-mail"),
        required=False,
        help_text=_("Office contact only: a functional mailbox, not a person's address."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    valid_from = PlausibleDateField(label=_("Valid from"))
    valid_to = PlausibleDateField(label=_("Valid to"), required=False)
    source = forms.CharField(
        label=_("Source"),
        max_length=500,
        help_text=_("Where the data come from, e.g. the provider's website or a phone call."),
    )
    public = forms.BooleanField(
        label=_("Show on the public page"),
        required=False,
        help_text=_("Only public entries appear on the directory page without login."),
    )
    confirm = forms.BooleanField(
        label=_("The data are current (counts as confirmation today)"),
        required=False,
        initial=True,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        providers: QuerySet[Organisation],
        topics: list[ServiceTopic],
        towns: QuerySet[Organisation],
        initial: dict[str, Any] | None = None,
        editing: bool = False,
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]
        topic_ids = [t.pk for t in topics]
        self.fields["topics"].queryset = ServiceTopic.objects.filter(  # type: ignore[attr-defined]
            pk__in=topic_ids
        ).order_by("position", "name")
        self.fields["towns"].queryset = towns  # type: ignore[attr-defined]
        self.fields["legal_spheres"].choices = sphere_choices()  # type: ignore[attr-defined]
        self.fields["languages"].choices = languages.choices()  # type: ignore[attr-defined]
        if not editing:
            del self.fields["confirm"]
            del self.fields["version"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end of validity cannot lie before its start."))
        return data

    def action_values(self) -> dict[str, Any]:
        """The cleaned values as the actions take them."""
        data = dict(self.cleaned_data)
        for name in ("confirm", "version"):
            data.pop(name, None)
        data["topics"] = list(data["topics"])
        data["towns"] = list(data.get("towns") or [])
        return data


def service_initial(service: Service) -> dict[str, Any]:
    skip = ("topics", "towns", "provider", "version", "confirm")
    values = {name: getattr(service, name) for name in ServiceForm.base_fields if name not in skip}
    values["provider"] = service.provider_id
    values["topics"] = [t.pk for t in service.topics.all()]
    values["towns"] = [t.pk for t in service.towns.all()]
    values["version"] = service.version
    values["confirm"] = True
    return values


class EndForm(forms.Form):
    valid_to = PlausibleDateField(label=_("Last day of the service"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ServiceTextForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"))
    name = forms.CharField(label=_("Name of the service"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    opening_hours = forms.CharField(label=_("Opening hours"), required=False, widget=forms.Textarea)
    appointment = forms.CharField(
        label=_("How to get an appointment"), required=False, widget=forms.Textarea
    )
    accessibility = forms.CharField(label=_("Accessibility"), required=False, widget=forms.Textarea)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data: Any = None, *, initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, initial=initial)
        self.fields["language"].choices = languages.choices(exclude=["de"])  # type: ignore[attr-defined]


class TopicVersionForm(forms.Form):
    key = forms.ChoiceField(label=_("Topic"))
    name = forms.CharField(label=_("German name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120)
    legal_spheres = forms.MultipleChoiceField(
        label=_("Legal spheres"), required=False, widget=forms.CheckboxSelectMultiple
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32000)
    valid_from = PlausibleDateField(label=_("Valid from"))
    source = forms.CharField(label=_("Source"), max_length=500)

    def __init__(self, data: Any = None, *, initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, initial=initial)
        self.fields["key"].choices = [(t.key, t.name) for t in TOPICS]  # type: ignore[attr-defined]
        self.fields["legal_spheres"].choices = sphere_choices()  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Kreis"), queryset=Organisation.objects.none())
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("The columns of the export; a row with a code changes that entry."),
    )

    def __init__(
        self, data: Any = None, files: Any = None, *, regions: QuerySet[Organisation]
    ) -> None:
        super().__init__(data, files)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        if regions.count() == 1:
            self.fields["region"].initial = regions.first()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a CSV or XLSX file."))
        return upload
