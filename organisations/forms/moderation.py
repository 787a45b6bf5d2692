"""Moderators' decisions, and residents' reports of a listing."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.forms import NoControlCharactersMixin

from ..models import Municipality, Report
from ..selectors.moderation import QueueKind


class DecisionForm(NoControlCharactersMixin, forms.Form):
    """A moderator's decision on a registration or a claim; a rejection needs a reason."""

    APPROVE, REJECT = "approve", "reject"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the person by e-mail. Required when rejecting."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REJECT and not cleaned.get("reason", "").strip():
            self.add_error("reason", ValidationError(_("Give a reason for the rejection."), code="required"))
        return cleaned


class ReportForm(NoControlCharactersMixin, forms.ModelForm):
    class Meta:
        model = Report
        fields = ("reason", "message")
        widgets = {"reason": forms.RadioSelect, "message": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Without the empty "---------" choice a radio list would otherwise get.
        self.fields["reason"].choices = Report.Reason.choices


class ReportResolveForm(NoControlCharactersMixin, forms.Form):
    resolution = forms.CharField(
        label=_("What was done"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ModerationQueueForm(NoControlCharactersMixin, forms.Form):
    """The queue's GET parameters. An invalid one is dropped with a message; the rest still apply."""

    jono = forms.ChoiceField(
        label=_("Queue"),
        choices=QueueKind.choices,
        required=False,
        error_messages={"invalid_choice": _("There is no queue called %(value)s.")},
    )
    kunta = forms.ModelChoiceField(
        label=_("Home municipality"),
        queryset=Municipality.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All municipalities"),
        error_messages={"invalid_choice": _("There is no municipality with that code in this service.")},
    )
    q = forms.CharField(label=_("Name"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kunta"].queryset = Municipality.objects.served().order_by("name_fi")

    def filters(self) -> dict:
        """The valid parameters: kind, municipality and name, each with its default when missing or invalid."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return {
            "kind": data.get("jono") or QueueKind.REGISTRATIONS,
            "municipality": data.get("kunta"),
            "name": (data.get("q") or "").strip(),
        }
