"""Meeting attachments: PDF and office documents only, recognised by their content, not their name."""

from __future__ import annotations

import re
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Extension → (content type, how its content must look). Macro-enabled variants are left out.
ATTACHMENT_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "word/document.xml"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/workbook.xml"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ppt/presentation.xml"),
    "odt": ("application/vnd.oasis.opendocument.text", "odf"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "odf"),
    "odp": ("application/vnd.oasis.opendocument.presentation", "odf"),
    "doc": ("application/msword", "ole"),
    "xls": ("application/vnd.ms-excel", "ole"),
    "ppt": ("application/vnd.ms-powerpoint", "ole"),
}
INVALID = _("Attach a PDF or an office document (docx, xlsx, pptx, odt, ods, odp, doc, xls, ppt).")


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def safe_filename(name: str) -> str:
    """The uploaded name reduced to letters, digits and a few marks, for the download header."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, _dot, extension = base.rpartition(".")
    stem = re.sub(r"[^\w\-]+", "_", stem or extension, flags=re.UNICODE).strip("._") or "liite"
    return f"{stem[:100]}.{extension.lower()}" if stem and extension else stem[:100]


def _content_matches(file, kind: str, extension: str) -> bool:
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "ole":
        return head == OLE_MAGIC
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if kind == "odf":
                expected = ATTACHMENT_TYPES[extension][0]
                return "mimetype" in names and archive.read("mimetype").decode("ascii", "replace").strip() == expected
            # A macro project inside an OOXML file means it is a macro-enabled document in disguise.
            return kind in names and not any(name.endswith("vbaProject.bin") for name in names)
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    finally:
        file.seek(0)


def validate_attachment(file) -> None:
    limit = settings.COUNCIL_ATTACHMENT_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The file is too large. The maximum is %(max)s MB."),
            params={"max": limit // (1024 * 1024)},
            code="attachment_too_large",
        )
    extension = extension_of(getattr(file, "name", "") or "")
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(INVALID, code="attachment_type")
    if not _content_matches(file, ATTACHMENT_TYPES[extension][1], extension):
        raise ValidationError(INVALID, code="attachment_content")
