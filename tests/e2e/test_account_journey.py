import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from tests.e2e.helpers import DEFAULT_PASSWORD, fill_signup, log_in, signup_and_verify

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_sign_up_and_verify_from_the_mail_signs_in(page, smtp_sink, assert_accessible):
    page.goto("/tili/signup/")
    expect(page.locator("h1")).to_have_text("Luo tili")
    assert_accessible(page, "sign-up fi")

    signup_and_verify(page, smtp_sink, "aino.meloja@example.org")
    assert EmailAddress.objects.get(email="aino.meloja@example.org").verified
    [mail] = smtp_sink.to("aino.meloja@example.org")
    assert "Vahvista sähköpostiosoitteesi" in mail.subject

    # Opened in the browser that signed up, the link signs the new user in.
    expect(page.locator("h1")).to_have_text("Oma tili")
    expect(page.locator("main")).to_contain_text("aino.meloja@example.org")
    assert_accessible(page, "my account fi")


@pytest.mark.parametrize(
    ("prefix", "heading", "required"),
    [("", "Luo tili", "Tämä kenttä vaaditaan."), ("/sv", "Skapa ett konto", "Detta fält måste fyllas i.")],
)
def test_sign_up_form_errors_are_accessible(page, smtp_sink, assert_accessible, prefix, heading, required):
    page.goto(f"{prefix}/tili/signup/")
    expect(page.locator("h1")).to_have_text(heading)
    assert_accessible(page, f"sign-up {prefix or 'fi'}")

    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_email_error")).to_contain_text(required)
    expect(page.locator("#id_email")).to_have_attribute("aria-invalid", "true")
    assert "id_email_error" in page.locator("#id_email").get_attribute("aria-describedby")
    assert_accessible(page, f"sign-up {prefix or 'fi'}, empty")

    fill_signup(page, "kaksi.salasanaa@example.org", DEFAULT_PASSWORD, "Toinen-salasana-2026")
    expect(page.locator("#id_password2_error")).to_be_visible()
    assert "id_password2_error" in page.locator("#id_password2").get_attribute("aria-describedby")
    assert_accessible(page, f"sign-up {prefix or 'fi'}, mismatched passwords")
    assert smtp_sink.messages == []


def test_login_errors_and_account_deletion_in_the_browser(page, assert_accessible):
    from accounts.models import User
    from tests.roles import PASSWORD, verified_user

    verified_user(email="lahtemassa@example.org")
    log_in(page, "lahtemassa@example.org", "väärä-salasana")
    expect(page.locator(".form-errors")).to_contain_text("Annettu sähköposti tai salasana ei ole oikein.")
    assert_accessible(page, "login fi, wrong password")

    log_in(page, "lahtemassa@example.org", PASSWORD)
    expect(page.locator("h1")).to_have_text("Oma tili")
    page.get_by_role("link", name="Poista tilini").click()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_password_error")).to_contain_text("Tämä kenttä vaaditaan.")
    assert_accessible(page, "delete account fi, empty")

    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".message-success")).to_contain_text("Tilisi ja sen tiedot on poistettu.")
    expect(page.get_by_role("link", name="Kirjaudu sisään")).to_be_visible()
    assert not User.objects.filter(email="lahtemassa@example.org").exists()
