"""The shared foundations this app leans on (audit log, rich-text sanitiser), imported in one place.

The foundations (issue 7) land on main while this app is built: ``portal.audit`` and
``portal.richtext`` are used when present; until then the fallbacks below keep the same calls
working (the audit entry goes to the log, the sanitiser is the same nh3 allow-list idea).
"""

from __future__ import annotations

import logging

try:
    from portal.audit import audit_record
except ImportError:  # pragma: no cover - removed once the foundations are on main
    _audit_logger = logging.getLogger("forums.audit")

    def audit_record(*, action: str, actor=None, target=None, details: dict | None = None, request=None) -> None:
        _audit_logger.info(
            "%s actor=%s target=%r details=%s", action, getattr(actor, "pk", None), target, details or {}
        )


try:
    from portal.richtext import sanitise_html
except ImportError:  # pragma: no cover - removed once the foundations are on main
    import nh3

    _TAGS = {"p", "br", "strong", "em", "b", "i", "u", "s", "a", "ul", "ol", "li", "h2", "h3", "h4", "blockquote"}

    def sanitise_html(html: str) -> str:
        # Links open nothing but the web and mail: no javascript:, no data: addresses.
        return nh3.clean(
            html or "",
            tags=_TAGS,
            attributes={"a": {"href", "title"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )


__all__ = ["audit_record", "sanitise_html"]
