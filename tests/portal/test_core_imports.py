"""The core (``portal/``) never imports an app; apps register with it instead (``portal.registry``)."""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

PORTAL = Path(settings.BASE_DIR) / "portal"
# Configuration names the apps on purpose: settings list them, the root URLs route to them.
CONFIGURATION = {"settings.py", "urls.py", "celery.py"}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_no_core_module_imports_an_app():
    project_apps = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).parent == Path(settings.BASE_DIR) and config.name != "portal"
    }
    assert {"organisations", "accounts"} <= project_apps
    offenders = {}
    for path in sorted(PORTAL.rglob("*.py")):
        if path.name in CONFIGURATION or "migrations" in path.parts:
            continue
        reached = {module for module in _imported_modules(path) if module.split(".")[0] in project_apps}
        if reached:
            offenders[str(path.relative_to(PORTAL))] = sorted(reached)
    assert offenders == {}


def test_the_home_page_gathers_the_sections_the_apps_registered():
    from portal.registry import home_sections

    assert [section.template_name for section in home_sections()] == [
        "organisations/_home_directory.html",
        "forums/_home_section.html",
        "council/_home_section.html",
        "newsletter/_home_section.html",
    ]


def test_apps_register_their_capabilities_with_the_core():
    from portal.registry import capabilities

    assert {"account", "staff", "council_secretary", "moderate", "municipal_contact"} <= {
        entry.name for entry in capabilities()
    }
