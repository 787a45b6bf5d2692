from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import Municipality, Sector
from portal.forms import NoControlCharactersMixin

from .models import LANGUAGES, Issue, Subscriber


class InterestsForm(NoControlCharactersMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language of the newsletter"), choices=LANGUAGES, widget=forms.RadioSelect)
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Municipalities"),
        queryset=Municipality.objects.served(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: news of every municipality."),
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: news of every sector."),
    )


class SubscribeForm(InterestsForm):
    field_order = ["email", "language", "municipalities", "sectors", "consent"]

    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    consent = forms.BooleanField(
        label=_(
            "I want to receive the Järjestötori newsletter by e-mail. I can unsubscribe from every "
            "newsletter with one click; my address is used for nothing else."
        ),
        required=True,
    )


class PreferencesForm(InterestsForm):
    @classmethod
    def for_subscriber(cls, subscriber: Subscriber, data=None) -> PreferencesForm:
        return cls(
            data,
            initial={
                "language": subscriber.language,
                "municipalities": list(subscriber.municipalities.all()),
                "sectors": list(subscriber.sectors.all()),
            },
        )


class IssueForm(NoControlCharactersMixin, forms.ModelForm):
    class Meta:
        model = Issue
        fields = [
            "title_fi",
            "body_fi",
            "title_sv",
            "body_sv",
            "include_new_organisations",
            "include_upcoming_events",
            "include_council_news",
            "audience_language",
            "municipalities",
            "sectors",
        ]
        widgets = {
            "municipalities": forms.CheckboxSelectMultiple,
            "sectors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipalities"].queryset = Municipality.objects.served()
        self.fields["municipalities"].help_text = _("None chosen: subscribers of every municipality.")
        self.fields["sectors"].help_text = _("None chosen: subscribers of every sector.")

    def clean(self):
        data = super().clean()
        if bool(data.get("title_sv")) != bool(data.get("body_sv")):
            raise forms.ValidationError(_("A Swedish version needs both a title and a text."))
        return data

    def service_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name not in ("municipalities", "sectors")}


class ScheduleForm(NoControlCharactersMixin, forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Send at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
