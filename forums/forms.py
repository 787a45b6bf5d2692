from __future__ import annotations

from datetime import timedelta

from django import forms
from django.db import models
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from organisations.models import Municipality, Sector
from portal.forms import NoControlCharactersMixin

from . import permissions
from .models import MAX_EVENT_DAYS, Event, Registration

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _formfield(model_field, **kwargs):
    # A link typed without a scheme ("meet.example/abc") is https today.
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


class EventForm(NoControlCharactersMixin, forms.ModelForm):
    """An event's details; the choices offered are the account's scope (the service checks again)."""

    organiser_organisations = forms.ModelMultipleChoiceField(
        label=_("Organising associations"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organiser_municipalities = forms.ModelMultipleChoiceField(
        label=_("Organising municipalities"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"), queryset=Sector.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Event
        formfield_callback = _formfield
        fields = [
            "title",
            "kind",
            "description",
            "starts_at",
            "ends_at",
            "municipality",
            "place",
            "street_address",
            "postal_code",
            "post_office",
            "on_site",
            "remote",
            "remote_url",
            "language",
            "accessibility",
            "accessibility_details",
            "organised_by_council",
            "registration_required",
            "capacity",
            "remote_capacity",
            "registration_opens_at",
            "registration_closes_at",
        ]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "registration_opens_at": DateTimeLocalInput(),
            "registration_closes_at": DateTimeLocalInput(),
        }
        help_texts = {
            "description": _("Paragraphs, bold, italics, lists and links are kept; anything else is removed."),
            "remote_url": _("Shown only to registered remote participants, never on the public page."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        kinds = permissions.allowed_kinds(user)
        self.fields["kind"].choices = [(value, label) for value, label in Event.Kind.choices if value in kinds]
        self.fields["municipality"].queryset = Municipality.objects.served().order_by("name_fi")
        self.fields["organiser_organisations"].queryset = permissions.event_organisations(user).order_by("name")
        if permissions.publishes_directly(user):
            self.fields["organiser_municipalities"].queryset = Municipality.objects.served().order_by("name_fi")
        else:
            self.fields["organiser_municipalities"].queryset = permissions.event_municipalities(user).order_by(
                "name_fi"
            )
            del self.fields["organised_by_council"]
        if self.instance.pk:
            self.initial.setdefault("organiser_organisations", list(self.instance.organiser_organisations.all()))
            self.initial.setdefault("organiser_municipalities", list(self.instance.organiser_municipalities.all()))
            self.initial.setdefault("sectors", list(self.instance.sectors.all()))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("on_site") and not cleaned.get("remote"):
            raise forms.ValidationError(_("Choose on-site participation, remote participation or both."))
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("The event cannot end before it starts."))
        elif starts and ends and ends - starts > timedelta(days=MAX_EVENT_DAYS):
            self.add_error("ends_at", _("An event can last at most 31 days."))
        if cleaned.get("remote") and not cleaned.get("remote_url"):
            self.add_error("remote_url", _("Give the link for remote participation."))
        return cleaned

    def _post_clean(self):
        # The model's clean runs in the service (after the description is sanitised).
        pass

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


class RegistrationForm(NoControlCharactersMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    organisation_name = forms.CharField(
        label=_("Organisation (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    participation = forms.ChoiceField(label=_("How will you take part?"), widget=forms.RadioSelect)
    needs = forms.CharField(
        label=_("Needs (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example diet or accessibility. Only the organisers see this, and it is deleted after the event."
        ),
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participation"].choices = event.participation_choices()
        if len(self.fields["participation"].choices) == 1:
            self.fields["participation"].initial = self.fields["participation"].choices[0][0]


class DelegateForm(NoControlCharactersMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    participation = forms.ChoiceField(label=_("Participation"), choices=Registration.Participation.choices)
    needs = forms.CharField(label=_("Needs (optional)"), max_length=1000, required=False)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("name")) != bool(cleaned.get("email")):
            raise forms.ValidationError(_("Give both the name and the e-mail address, or leave the row empty."))
        return cleaned


DelegateFormSet = formset_factory(DelegateForm, extra=5, max_num=50)


class RejectForm(NoControlCharactersMixin, forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the submitter)"), max_length=2000, widget=forms.Textarea)
