"""A municipal contact's saved directory filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import NoControlCharactersMixin


class SavedFilterForm(NoControlCharactersMixin, forms.Form):
    name = forms.CharField(label=_("Name of the filter"), max_length=100)
    query_string = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the filter a name."))
        return name
