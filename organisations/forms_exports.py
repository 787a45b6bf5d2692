from django import forms
from django.utils.translation import gettext_lazy as _

from .services_exports import MAX_IMPORT_BYTES


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name of the filter"), max_length=100)
    query_string = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the filter a name."))
        return name


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        help_text=_("The first row names the columns. CSV files must be UTF-8. At most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is too large. The maximum is %(size)s MB."),
                params={"size": MAX_IMPORT_BYTES // (1024 * 1024)},
                code="too_large",
            )
        return upload
