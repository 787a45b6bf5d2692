"""The newsletter's own message builder: what it writes parses back to the same message."""

from __future__ import annotations

import smtplib

import pytest

from newsletter.mime import RawMessages

TEXT = "Hei!\n.\n.piste rivin alussa\nrivi jonka lopussa on välilyönti \n" + "pitkä " * 400 + "\nLoppu ä ö å €"
HTML = "<p>Hei!</p>\n<p>" + "<b>pitkä</b> " * 300 + "</p>\n<p>Loppu ä ö å €</p>"
HEADERS = {
    "List-Unsubscribe": "<https://jarjestotori.example/uutiskirje/peru/abcDEF123_-/>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "List-Id": "Jarjestotori newsletter <newsletter.jarjestotori.example>",
}


def build(**overrides) -> bytes | None:
    fields = {
        "to": ["tilaaja@example.org"],
        "from_email": "Järjestötori <uutiskirje@jarjestotori.example>",
        "subject": "Syksyn tapahtumat: yhdistykset esittäytyvät",
        "text": TEXT,
        "html": HTML,
        "headers": HEADERS,
        "message_id": "<abc123@jarjestotori.example>",
    }
    return RawMessages().build(**{**fields, **overrides})


def test_a_message_sent_over_smtp_arrives_as_it_was_meant(smtp_sink):
    raw = build()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    with smtplib.SMTP("127.0.0.1", smtp_sink.port) as smtp:
        smtp.sendmail("uutiskirje@jarjestotori.example", ["tilaaja@example.org"], raw)
    [mail] = smtp_sink.wait_for(1)
    message = mail.message
    assert mail.recipients == ["tilaaja@example.org"]
    assert message["Subject"] == "Syksyn tapahtumat: yhdistykset esittäytyvät"
    assert message["From"].addresses[0].display_name == "Järjestötori"
    assert message["From"].addresses[0].addr_spec == "uutiskirje@jarjestotori.example"
    assert message["To"] == "tilaaja@example.org"
    assert message["Message-ID"] == "<abc123@jarjestotori.example>"
    assert message["Date"] is not None
    for name, value in HEADERS.items():
        assert message[name] == value
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    # Lines starting with a dot survived SMTP's dot-stuffing; trailing spaces and long lines survived.
    assert text.get_content().replace("\r\n", "\n").rstrip("\n") == TEXT
    assert html.get_content().replace("\r\n", "\n").rstrip("\n") == HTML


def test_a_plain_text_message_has_no_alternative():
    from email import message_from_bytes, policy

    message = message_from_bytes(build(html=""), policy=policy.default)
    assert message.get_content_type() == "text/plain"
    assert message.get_content().replace("\r\n", "\n").rstrip("\n") == TEXT


@pytest.mark.parametrize(
    "overrides",
    [
        {"to": ["tilaaja@esimerkki-ä.example"]},
        {"to": ["a@example.org", "b@example.org"]},
        {"headers": {**HEADERS, "List-Id": "x\r\nBcc: kaikki@example.org"}},
        {"headers": {**HEADERS, "To": "kaikki@example.org"}},
        {"message_id": "<ä@example.org>"},
    ],
)
def test_what_it_does_not_write_plainly_is_left_to_django(overrides):
    assert build(**overrides) is None


@pytest.mark.parametrize("pipelining", [True, False])
def test_smtp_send_delivers_and_reports_refusals_like_sendmail(smtp_sink, pipelining):
    from email import message_from_bytes, policy

    from newsletter.mime import smtp_prepare, smtp_send

    smtp_sink.refuse("taynna@example.org", 452)
    smtp_sink.refuse("poissa@example.org", 550)
    with smtplib.SMTP("127.0.0.1", smtp_sink.port) as smtp:
        smtp_prepare(smtp)
        smtp_send(smtp, "palautus@example.org", "eka@example.org", build(), pipelining=pipelining)
        with pytest.raises(smtplib.SMTPRecipientsRefused) as temporary:
            smtp_send(smtp, "palautus@example.org", "taynna@example.org", build(), pipelining=pipelining)
        with pytest.raises(smtplib.SMTPRecipientsRefused) as permanent:
            smtp_send(smtp, "palautus@example.org", "poissa@example.org", build(), pipelining=pipelining)
        # A refusal leaves the connection usable for the next message, as sendmail's does.
        smtp_send(smtp, "palautus@example.org", "toka@example.org", build(), pipelining=pipelining)
    assert temporary.value.recipients["taynna@example.org"][0] == 452
    assert permanent.value.recipients["poissa@example.org"][0] == 550
    received = smtp_sink.wait_for(2)
    assert [(mail.sender, mail.recipients) for mail in received] == [
        ("palautus@example.org", ["eka@example.org"]),
        ("palautus@example.org", ["toka@example.org"]),
    ]
    text = message_from_bytes(received[1].message.as_bytes(), policy=policy.default).get_body(("plain",))
    assert text.get_content().replace("\r\n", "\n").rstrip("\n") == TEXT


@pytest.mark.parametrize("pipelining", [True, False])
def test_the_pipeline_reports_each_message_in_order_and_delivers_the_accepted_ones(smtp_sink, pipelining):
    from newsletter.mime import SMTPPipeline

    smtp_sink.refuse("taynna@example.org", 452)
    smtp_sink.refuse("poissa@example.org", 550)
    recipients = ["eka@example.org", "taynna@example.org", "toka@example.org", "kolmas@example.org"]
    recipients.append("poissa@example.org")  # the last one refused: nothing is held at the end
    outcomes = []
    with smtplib.SMTP("127.0.0.1", smtp_sink.port) as smtp:
        smtp.ehlo()
        pipeline = SMTPPipeline(smtp, pipelining=pipelining)
        for recipient in recipients:
            outcomes += pipeline.send(recipient, "palautus@example.org", recipient, build(to=[recipient]))
        outcomes += pipeline.finish()
        assert pipeline.unsettled == []
    assert [key for key, _outcome in outcomes] == recipients  # every message's outcome, in order
    refused = {key: outcome.recipients[key][0] for key, outcome in outcomes if outcome is not None}
    assert refused == {"taynna@example.org": 452, "poissa@example.org": 550}
    received = smtp_sink.wait_for(3)
    assert [mail.recipients for mail in received] == [["eka@example.org"], ["toka@example.org"], ["kolmas@example.org"]]
    assert len({mail.peer for mail in received}) == 1
