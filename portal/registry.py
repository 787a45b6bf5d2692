"""Where the apps plug into the core: capabilities and front-page sections.

The core (``portal``) never imports an app. Each app registers what it brings in its
``AppConfig.ready()``: the capabilities its views require (``register_capability``; checked by
``portal.permissions.requires_capability``) and the sections it adds to the front page
(``register_home_section``; rendered in order by ``portal.views.home``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Capability:
    name: str
    predicate: Callable[[Any], bool]
    # Roles that see other people's personal data are offered two-factor authentication.
    handles_personal_data: bool = False


@dataclass(frozen=True)
class HomeSection:
    template_name: str
    context: Callable[[HttpRequest], dict[str, Any]]
    order: int = 100
    # What the section shows changes only when this value does (``None``: unknown, so a page
    # showing the section is never cached whole; see ``sections_version``).
    version: Callable[[], object] | None = None
    # The section changes with time alone (an event ends, a scheduled item appears): a page
    # showing it is kept at most this many seconds even while its version stands.
    max_age: int | None = None


_capabilities: dict[str, Capability] = {}
_home_sections: dict[str, HomeSection] = {}


def register_capability(name: str, predicate: Callable[[Any], bool], *, handles_personal_data: bool = False) -> None:
    """Declare a capability; registering the same name again replaces it (module reloads, tests)."""
    _capabilities[name] = Capability(name, predicate, handles_personal_data)


def capability(name: str) -> Capability:
    try:
        return _capabilities[name]
    except KeyError:
        raise ValueError(f"Unknown capability: {name}") from None


def capabilities() -> list[Capability]:
    return list(_capabilities.values())


def register_home_section(
    template_name: str,
    context: Callable[[HttpRequest], dict[str, Any]],
    *,
    order: int = 100,
    version: Callable[[], object] | None = None,
    max_age: int | None = None,
) -> None:
    """Add a section to the front page: a template and the callable that gives its context.

    ``version()`` is moved (after the commit) by every change to what the section shows, and
    ``max_age`` bounds how long it stays right without one: with both, the whole front page can
    be cached for anonymous visitors (``portal.page_cache``).
    """
    _home_sections[template_name] = HomeSection(template_name, context, order, version, max_age)


def home_sections() -> list[HomeSection]:
    return sorted(_home_sections.values(), key=lambda section: (section.order, section.template_name))


@dataclass(frozen=True)
class PageSection:
    template_name: str
    context: Callable[..., dict[str, Any]]
    order: int = 100
    version: Callable[[], object] | None = None
    max_age: int | None = None


_page_sections: dict[str, dict[str, PageSection]] = {}


def register_page_section(
    page: str,
    template_name: str,
    context: Callable[..., dict[str, Any]],
    *,
    order: int = 100,
    version: Callable[[], object] | None = None,
    max_age: int | None = None,
) -> None:
    """Add a section to another app's page (``"municipality"``, ``"organisation"``).

    ``context(request, obj)`` gives the section's context for the page's object: the page's owner
    renders whatever was registered without knowing the apps that registered it. ``version`` and
    ``max_age`` are as for ``register_home_section``.
    """
    _page_sections.setdefault(page, {})[template_name] = PageSection(template_name, context, order, version, max_age)


def page_sections(page: str) -> list[PageSection]:
    return sorted(_page_sections.get(page, {}).values(), key=lambda section: (section.order, section.template_name))


def sections_version(sections: list[HomeSection] | list[PageSection]) -> tuple[object, ...] | None:
    """The versions of all ``sections`` together, or ``None`` when one of them has none."""
    versions = []
    for section in sections:
        if section.version is None:
            return None
        versions.append(section.version())
    return tuple(versions)


def sections_max_age(sections: list[HomeSection] | list[PageSection], default: int) -> int:
    """How long a page showing ``sections`` stays right without a version change."""
    return min([default, *(section.max_age for section in sections if section.max_age is not None)])


@dataclass(frozen=True)
class DemoData:
    name: str
    seed: Callable[..., None]
    delete: Callable[[], None] | None = None
    order: int = 100


_demo_data: dict[str, DemoData] = {}


def register_demo_data(
    name: str, seed: Callable[..., None], *, delete: Callable[[], None] | None = None, order: int = 100
) -> None:
    """An app's part of ``manage.py seed_demo``: ``seed(seed=, stdout=)`` after the associations exist,
    ``delete()`` before they are removed by ``--reset`` (apps' rows may point at demo associations)."""
    _demo_data[name] = DemoData(name, seed, delete, order)


def demo_data() -> list[DemoData]:
    return sorted(_demo_data.values(), key=lambda entry: (entry.order, entry.name))


def render_page_sections(page: str, request: HttpRequest, obj: Any) -> list[str]:
    """The registered sections of ``page`` rendered for ``obj``, in order (safe HTML strings)."""
    from django.template.loader import render_to_string

    return [
        render_to_string(section.template_name, section.context(request, obj), request=request)
        for section in page_sections(page)
    ]


def lazy(dotted_path: str) -> Callable[..., Any]:
    """A callable that imports ``module.attribute`` on its first call, not at start-up.

    Apps register sections and demo loaders in ``ready()``; importing their selectors, services and
    demo modules there would load half the project in every process before it serves anything.
    """
    module_name, _, attribute = dotted_path.rpartition(".")

    def call(*args: Any, **kwargs: Any) -> Any:
        from importlib import import_module

        return getattr(import_module(module_name), attribute)(*args, **kwargs)

    return call


@dataclass(frozen=True)
class NewsletterItem:
    """One line of a newsletter section: a linked title and a short detail (a date, a place)."""

    title: str
    # A path on this site in the current language; the newsletter makes it absolute.
    url: str
    detail: str = ""


@dataclass(frozen=True)
class NewsletterSection:
    name: str
    heading: Any  # a (lazily) translated string
    items: Callable[..., list[NewsletterItem]]
    order: int = 100


_newsletter_sections: dict[str, NewsletterSection] = {}


def register_newsletter_section(
    name: str, heading: Any, items: Callable[..., list[NewsletterItem]], *, order: int = 100
) -> None:
    """A section the newsletter fills automatically from another app (``"upcoming_events"``…).

    ``items(at=, since=, municipalities=)`` gives the section's lines for an issue sent at ``at``,
    the previous issue having been sent at ``since``, for readers in ``municipalities`` (empty:
    everywhere). It is called in the reader's language, so its URLs and dates are in it.
    """
    _newsletter_sections[name] = NewsletterSection(name, heading, items, order)


def newsletter_section(name: str) -> NewsletterSection | None:
    return _newsletter_sections.get(name)
