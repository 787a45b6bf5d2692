"""Input validation for the associations' self-service: registration, edits, claims, invitations.

Every form lists its fields explicitly: whatever else a POST carries (a hidden ``status``, a
``slug``, another association's id) is simply not a field and changes nothing.
"""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.forms import NoControlCharactersMixin

from ..models import ClaimRequest, Language, Municipality, Organisation, Sector, TargetGroup, Visibility
from ..services.common import EDITABLE_FIELDS, REGISTRATION_FIELDS
from ..validators import LOGO_MAX_BYTES, logo_file_name, normalise_business_id, normalise_register_number, validate_logo


def _formfield(model_field, **kwargs):
    # Addresses typed without a scheme ("yhdistys.fi") are https today.
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


class LogoField(forms.ImageField):
    """Checks the size before Pillow reads the file, so a huge upload gets the size message.

    The uploaded name's extension is not checked, only the content: the name is replaced by one
    ending in the detected format's extension.
    """

    default_validators = []

    def to_python(self, data):
        if data is not None and getattr(data, "size", 0) > LOGO_MAX_BYTES:
            validate_logo(data)
        return super().to_python(data)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        # A new upload that passed validate_logo: store it under its real format's extension.
        if value and value is not initial and hasattr(value, "seek") and not getattr(value, "_committed", False):
            validate_logo(value)
            value.name = logo_file_name(value)
        return value


class ClassificationWidgetsMixin:
    """Checkbox lists instead of multi-selects: usable without JavaScript and with a screen reader."""

    def _use_checkboxes(self) -> None:
        choices = {
            "sectors": Sector.objects.all(),
            "target_groups": TargetGroup.objects.all(),
            "languages": Language.objects.all(),
            "municipalities": Municipality.objects.served().order_by("name_fi"),
        }
        for name, queryset in choices.items():
            if name in self.fields:
                self.fields[name].widget = forms.CheckboxSelectMultiple()
                self.fields[name].queryset = queryset
        if "home_municipality" in self.fields:
            self.fields["home_municipality"].queryset = Municipality.objects.served().order_by("name_fi")

    def clean_register_number(self) -> str:
        return normalise_register_number(self.cleaned_data.get("register_number", ""))

    def clean_business_id(self) -> str:
        return normalise_business_id(self.cleaned_data.get("business_id", ""))


class OrganisationRegistrationForm(NoControlCharactersMixin, ClassificationWidgetsMixin, forms.ModelForm):
    not_a_duplicate = forms.BooleanField(
        label=_("Our association is not any of the listings above"),
        required=False,
    )

    class Meta:
        model = Organisation
        fields = REGISTRATION_FIELDS
        formfield_callback = _formfield
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "register_number": _("From the association register (PRH), for example 123.456."),
            "business_id": _("If the association has one, for example 1234567-1."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._use_checkboxes()
        self.fields["home_municipality"].empty_label = _("Choose a municipality")
        self.duplicates: list[Organisation] = []

    def clean(self):
        cleaned = super().clean()
        certain = Organisation.objects.likely_duplicates(
            name="",
            home_municipality=None,
            register_number=cleaned.get("register_number", ""),
            business_id=cleaned.get("business_id", ""),
        )
        similar = Organisation.objects.likely_duplicates(
            name=cleaned.get("name", ""), home_municipality=cleaned.get("home_municipality")
        )
        self.duplicates = list((certain | similar).distinct().select_related("home_municipality")[:5])
        already_listed = _("This association is already listed. Ask to manage the existing listing instead.")
        for organisation in certain:
            if cleaned.get("register_number") and organisation.register_number == cleaned["register_number"]:
                self.add_error("register_number", already_listed)
            if cleaned.get("business_id") and organisation.business_id == cleaned["business_id"]:
                self.add_error("business_id", already_listed)
        if self.duplicates and not self.errors and not cleaned.get("not_a_duplicate"):
            self.add_error(
                "not_a_duplicate",
                _(
                    "A similar association is already listed in this municipality. Ask to manage that "
                    "listing, or tick this box if yours is a different association."
                ),
            )
        return cleaned


class OrganisationEditForm(NoControlCharactersMixin, ClassificationWidgetsMixin, forms.ModelForm):
    logo = LogoField(
        label=_("logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    contact_consent = forms.BooleanField(
        label=_("The contact person agrees that their details are shown as chosen above"),
        required=False,
    )

    class Meta:
        model = Organisation
        fields = EDITABLE_FIELDS
        formfield_callback = _formfield
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "contact_name_visibility": forms.RadioSelect,
            "contact_email_visibility": forms.RadioSelect,
            "contact_phone_visibility": forms.RadioSelect,
            "accessibility": forms.RadioSelect,
        }

    FIELDSETS = (
        (
            _("Basic information"),
            ("name", "name_sv", "register_number", "business_id", "home_municipality", "description"),
        ),
        (_("Activity"), ("municipalities", "sectors", "target_groups", "languages", "meeting_place")),
        (
            _("Public contact details"),
            (
                "email",
                "phone",
                "website",
                "facebook_url",
                "instagram_url",
                "other_social_url",
                "street_address",
                "postal_code",
                "post_office",
            ),
        ),
        (_("Accessibility"), ("accessibility", "accessibility_details")),
        (
            _("Contact person"),
            (
                "contact_name",
                "contact_name_visibility",
                "contact_email",
                "contact_email_visibility",
                "contact_phone",
                "contact_phone_visibility",
                "contact_consent",
            ),
        ),
        (_("Logo"), ("logo",)),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._use_checkboxes()
        self.fields["contact_consent"].initial = self.instance.contact_consent_at is not None

    def clean(self):
        cleaned = super().clean()
        shown = [
            name
            for name in ("contact_name", "contact_email", "contact_phone")
            if cleaned.get(name) and cleaned.get(f"{name}_visibility", Visibility.STAFF) != Visibility.STAFF
        ]
        if shown and not cleaned.get("contact_consent"):
            self.add_error(
                "contact_consent",
                _("The contact person's consent is needed to show their details to anyone but the portal staff."),
            )
        return cleaned

    def fieldsets(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]


class ClaimForm(NoControlCharactersMixin, forms.ModelForm):
    class Meta:
        model = ClaimRequest
        fields = ("role", "message")
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}


class InvitationForm(NoControlCharactersMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address of the new editor"))
