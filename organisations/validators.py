"""Validators for the identifiers and files an association gives us."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.fi import ytunnus

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 4000
LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}
# The stored name ends in the detected format's extension: the uploader's name (logo.pdf holding a
# PNG) would otherwise make the file server announce a type the content is not.
LOGO_EXTENSIONS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}

# PRH's association register numbers are plain integers, often printed with a thousands dot.
REGISTER_NUMBER_RE = re.compile(r"^\d{1,7}$")


def normalise_business_id(value: str) -> str:
    """The stored form, 1234567-1, of a valid Business ID; anything else is left for the validator."""
    value = (value or "").strip()
    if value and ytunnus.is_valid(value):
        return ytunnus.format(ytunnus.compact(value))
    return value


def validate_business_id(value: str) -> None:
    try:
        ytunnus.validate(value)
    except stdnum_exceptions.ValidationError as error:
        raise ValidationError(
            _("Enter a valid Business ID (Y-tunnus) in the form 1234567-1."), code="invalid_business_id"
        ) from error


def normalise_register_number(value: str) -> str:
    return re.sub(r"[\s.]", "", value or "")


def validate_register_number(value: str) -> None:
    if not REGISTER_NUMBER_RE.match(normalise_register_number(value)):
        raise ValidationError(
            _("Enter the association register number as digits, for example 123.456."),
            code="invalid_register_number",
        )


# Numbers without a country code are Finnish: "040 123 4567" and "017 123 456" are how people here
# write them.
PHONE_REGION = "FI"


def _parsed_phone(value: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalise_phone(value: str) -> str:
    """The stored form of a valid phone number, E.164 (+358401234567); anything else is left for the validator.

    E.164 rather than a formatted string: one spelling per number (so "040-123 4567" and
    "+358 40 1234567" compare equal in imports and duplicates), a ready tel: link and schema.org value,
    and the display format can change without touching the data (see format_phone).
    """
    value = (value or "").strip()
    number = _parsed_phone(value) if value else None
    if number is None:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    if value and _parsed_phone(value) is None:
        raise ValidationError(
            _("Enter a phone number, for example 040 123 4567 or +358 17 123 456."), code="invalid_phone"
        )


def format_phone(value: str) -> str:
    """How a stored number is shown: the national format for Finnish numbers, international otherwise."""
    number = _parsed_phone(value) if value else None
    if number is None:
        return value or ""
    if phonenumbers.region_code_for_number(number) == PHONE_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def validate_logo(file) -> None:
    """Accept only small PNG, JPEG or WebP images that Pillow can actually decode."""
    from PIL import Image, UnidentifiedImageError

    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is too large (%(size)s MB). The maximum is 2 MB."),
            params={"size": f"{file.size / 1024 / 1024:.1f}"},
            code="logo_too_large",
        )
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(_("The logo must be a PNG, JPEG or WebP image."), code="logo_invalid") from error
    finally:
        file.seek(0)
    if image_format not in LOGO_FORMATS:
        raise ValidationError(_("The logo must be a PNG, JPEG or WebP image."), code="logo_invalid")
    if width > LOGO_MAX_PIXELS or height > LOGO_MAX_PIXELS:
        raise ValidationError(
            _("The logo may be at most %(max)s by %(max)s pixels."),
            params={"max": LOGO_MAX_PIXELS},
            code="logo_too_many_pixels",
        )


def logo_file_name(file) -> str:
    """The uploaded name's stem with the extension of the format the content actually is."""
    from pathlib import PurePath

    from PIL import Image

    file.seek(0)
    try:
        with Image.open(file) as image:
            extension = LOGO_EXTENSIONS[image.format]
    finally:
        file.seek(0)
    stem = PurePath(file.name or "logo").stem.split(".")[0] or "logo"
    return f"{stem}.{extension}"
