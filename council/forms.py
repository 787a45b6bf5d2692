from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from portal.forms import NoControlCharactersMixin
from portal.richtext import RichTextFormField

from .models import CouncilDocument, Election, Meeting, NewsItem, Nomination, Person, Seat, Term


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ElectionForm(NoControlCharactersMixin, forms.ModelForm):
    class Meta:
        model = Election
        fields = [
            "term",
            "title",
            "seats",
            "method",
            "own_sectors_only",
            "nomination_starts_at",
            "nomination_ends_at",
            "voting_starts_at",
            "voting_ends_at",
            "criteria",
        ]
        widgets = {
            "seats": forms.CheckboxSelectMultiple,
            "nomination_starts_at": DateTimeInput(),
            "nomination_ends_at": DateTimeInput(),
            "voting_starts_at": DateTimeInput(),
            "voting_ends_at": DateTimeInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seats"].queryset = Seat.objects.filter(kind__in=Seat.ELECTED_KINDS).select_related("term")


class NominationForm(NoControlCharactersMixin, forms.ModelForm):
    background_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.published(),
        label=_("Background organisation"),
        to_field_name="slug",
        widget=forms.TextInput,
        help_text=_("The association's address name in the directory (the end of its page's address)."),
    )

    class Meta:
        model = Nomination
        fields = [
            "seat",
            "candidate_name",
            "candidate_email",
            "background_organisation",
            "presentation",
            "background_approves",
            "criteria_accepted",
        ]
        widgets = {"presentation": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, election: Election, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].queryset = election.seats.order_by("position")
        self.fields["background_approves"].required = True
        self.fields["criteria_accepted"].required = True


class RejectForm(NoControlCharactersMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class ApprovalForm(NoControlCharactersMixin, forms.Form):
    approved_on = forms.DateField(
        label=_("Date of the regional board's decision"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("Decision reference"), max_length=200)


class BallotForm(NoControlCharactersMixin, forms.Form):
    """One radio group per seat the association may vote on; leaving a seat empty is allowed."""

    def __init__(self, *args, seats, nominations, **kwargs):
        super().__init__(*args, **kwargs)
        by_seat: dict[int, list[Nomination]] = {}
        for nomination in nominations:
            by_seat.setdefault(nomination.seat_id, []).append(nomination)
        for seat in seats:
            choices = [("", _("No choice for this seat"))] + [
                (str(n.pk), f"{n.candidate_name} ({n.background_organisation.localised_name})")
                for n in by_seat.get(seat.pk, [])
            ]
            self.fields[f"seat_{seat.pk}"] = forms.ChoiceField(
                label=str(seat), choices=choices, required=False, widget=forms.RadioSelect
            )
            self.fields[f"seat_{seat.pk}"].seat = seat

    def choices(self) -> dict[int, int]:
        return {int(name.removeprefix("seat_")): int(value) for name, value in self.cleaned_data.items() if value}


class MeetingForm(NoControlCharactersMixin, forms.ModelForm):
    remote_link = forms.URLField(
        label=_("Remote participation link"),
        required=False,
        assume_scheme="https",
        help_text=_("Shown to members only."),
    )

    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "location", "remote_link", "checkers"]
        widgets = {"starts_at": DateTimeInput(), "checkers": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = Term.objects.current().first()
        people = Person.objects.filter(holdings__ends_on__isnull=True)
        if current:
            people = people.filter(holdings__seat__term=current)
        self.fields["checkers"].queryset = people.filter(user__isnull=False).distinct()
        self.fields["checkers"].help_text = _("Council members with an account.")


class AgendaItemForm(NoControlCharactersMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AttachmentForm(NoControlCharactersMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), help_text=_("PDF or an office document."))


class MinutesForm(NoControlCharactersMixin, forms.Form):
    minutes = RichTextFormField(label=_("Minutes"), required=False)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        for item in meeting.agenda_items.all():
            self.fields[f"decision_{item.pk}"] = forms.CharField(
                label=_("Decision: %(item)s") % {"item": item},
                required=False,
                initial=item.decision,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def decisions(self) -> dict[int, str]:
        return {
            int(name.removeprefix("decision_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("decision_")
        }


class NewsForm(NoControlCharactersMixin, forms.ModelForm):
    publish = forms.BooleanField(label=_("Published"), required=False)

    class Meta:
        model = NewsItem
        fields = ["title", "body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publish"].initial = bool(self.instance.published_at)


class DocumentForm(NoControlCharactersMixin, forms.ModelForm):
    class Meta:
        model = CouncilDocument
        fields = ["body"]


class GroupForm(NoControlCharactersMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Association"), to_field_name="slug"
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class MeetingResultForm(NoControlCharactersMixin, forms.Form):
    """One candidate's result from an election held at a meeting (blank rows are skipped)."""

    seat = forms.ModelChoiceField(queryset=Seat.objects.none(), label=_("Seat"), required=False)
    candidate_name = forms.CharField(label=_("Candidate"), max_length=200, required=False)
    background_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.published(),
        label=_("Background organisation"),
        to_field_name="slug",
        widget=forms.TextInput,
        required=False,
        help_text=_("The association's address name in the directory (the end of its page's address)."),
    )
    votes = forms.IntegerField(label=_("Votes"), min_value=0, required=False)

    def __init__(self, *args, election: Election, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].queryset = election.seats.order_by("position")

    def clean(self):
        data = super().clean()
        filled = [
            data.get(name) not in (None, "") for name in ("seat", "candidate_name", "background_organisation", "votes")
        ]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Fill in every field of a row, or leave the row empty."))
        return data


MeetingResultFormSet = forms.formset_factory(MeetingResultForm, extra=8)
