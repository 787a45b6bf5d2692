"""The rich-text editor in chromium under the portal's Content Security Policy."""

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.urls("tests.e2e.richtext_urls"),
]


def test_the_editor_starts_without_breaking_the_policy_and_the_server_sanitises(page):
    problems: list[str] = []

    def on_console(message) -> None:
        # The browser asks for /favicon.ico on its own; the portal has none.
        if message.type in {"error", "warning"} and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/richtext/")
    editor = page.locator('.prose-editor [contenteditable="true"]')
    editor.wait_for()
    assert page.locator("textarea[data-richtext]").is_hidden()

    editor.click()
    page.keyboard.type("Kokous torstaina")
    page.keyboard.press("Control+a")
    page.keyboard.press("Control+b")
    assert page.locator("textarea[data-richtext]").input_value() == "<p><strong>Kokous torstaina</strong></p>"

    # Whatever the browser sends, the server keeps the allow-list only, and the form shown again
    # hands the editor nothing else (it parses its text in the live page: an <img onerror> would
    # try to run, and the policy would report it below).
    page.locator("textarea[data-richtext]").evaluate(
        "el => { el.value = '<p>Hei<img src=x onerror=alert(1)></p>'; el.closest('form').submit() }"
    )
    page.locator("#cleaned").wait_for()
    assert page.locator("#cleaned").inner_text() == "<p>Hei</p>"
    page.locator('.prose-editor [contenteditable="true"]').wait_for()
    assert problems == [], problems
