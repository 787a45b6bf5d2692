"""The shared foundations this app builds on (issue 7), imported in one place.

While the foundations are landing on main, the names below fall back to minimal stand-ins with the
same signatures, so the council app runs and its tests run; once main has them this module only
re-exports (and can be folded into direct imports).
"""

from __future__ import annotations

try:
    from portal.audit import audit_record
except ImportError:  # pragma: no cover - until portal.audit lands

    def audit_record(*, action: str, actor=None, target=None, details: dict | None = None, request=None) -> None:
        return None


try:
    from portal.richtext import SanitisedHTMLField, sanitise_html
except ImportError:  # pragma: no cover - until portal.richtext lands
    import nh3
    from django.db import models

    def sanitise_html(html: str) -> str:
        return nh3.clean(html or "")

    class SanitisedHTMLField(models.TextField):
        def pre_save(self, model_instance, add):
            value = sanitise_html(getattr(model_instance, self.attname) or "")
            setattr(model_instance, self.attname, value)
            return value

        def clean(self, value, model_instance):
            return super().clean(sanitise_html(value or ""), model_instance)


try:
    from portal.client_address import client_address
except ImportError:  # pragma: no cover - until portal.client_address lands
    from portal.ratelimit import client_address

__all__ = ["SanitisedHTMLField", "audit_record", "client_address", "sanitise_html"]
