"""Reading received e-mails (.eml fixtures): headers decoded, charsets, text preferred to HTML."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from clocher.demarches.mail_parsing import html_to_text, message_key, parse_message

FIXTURES = Path(__file__).parent / "fixtures"


def _parse(name: str):
    return parse_message((FIXTURES / name).read_bytes())


def test_plain_message_with_encoded_headers():
    """RFC 2047 headers are decoded; the key is the SHA-256 of the Message-ID."""
    mail = _parse("plain.eml")
    assert mail.sender == "camille.martin@example.test"
    assert mail.sender_name == "Camille Martín"
    assert mail.subject == "Lampadaire éteint rue Haute"
    assert mail.body == (
        "Bonjour,\n\nLe lampadaire devant le 3 rue Haute est éteint depuis lundi.\n\n"
        "Cordialement,\nCamille Martín"
    )
    assert mail.attachments == []
    assert mail.message_key == hashlib.sha256(b"20261104093000.4242@example.test").hexdigest()


def test_multipart_prefers_plain_text_and_lists_attachments():
    """multipart/alternative gives its text part; every attachment comes with name and type."""
    mail = _parse("multipart_attachment.eml")
    assert mail.body == "Un nid-de-poule profond s'est formé chemin des Vignes. Photo jointe."
    assert [(a.name, a.content_type) for a in mail.attachments] == [
        ("trou.png", "image/png"),
        ("plan.pdf", "application/pdf"),
        ("courrier.odt", "application/vnd.oasis.opendocument.text"),
        ("photo.jpg", "image/jpeg"),
    ]
    assert mail.attachments[0].data.startswith(b"\x89PNG")
    assert mail.attachments[1].data.startswith(b"%PDF-1.4")


def test_latin1_quoted_printable_is_decoded():
    """ISO-8859-1 headers and a quoted-printable body (with soft line breaks) read correctly."""
    mail = _parse("latin1_quoted_printable.eml")
    assert mail.sender_name == "Renée Léger"
    assert mail.subject == "Demande d'acte de naissance à Agey"
    assert "une copie intégrale de mon acte de naissance, née à Agey le 12 février 1961." in (
        mail.body
    )
    assert mail.body.endswith("très cordialement.\nRenée Léger")


def test_message_without_message_id_is_keyed_by_its_bytes():
    """No Message-ID: the key is the SHA-256 of the raw message."""
    raw = (FIXTURES / "no_message_id.eml").read_bytes()
    mail = parse_message(raw)
    assert mail.message_id == ""
    assert mail.message_key == hashlib.sha256(raw).hexdigest()
    assert mail.sender == "anonyme@example.test"


def test_html_only_message_is_stripped_to_text():
    """Without a text part, the HTML is turned into text: no tags, styles, scripts or title."""
    mail = _parse("html_only.eml")
    assert mail.subject == "Réservation de la salle des fêtes"
    assert mail.sender_name == "Association des Amis du Lavoir"
    assert mail.body == (
        "Réservation\n\nNous souhaitons réserver la salle des fêtes\nle samedi 14 mars.\n\n"
        "Merci & à bientôt,\nL'association"
    )


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage without headers",
        b"From: =?x-unknown?Q?abc?= <a@b.fr>\r\nSubject: =?utf-8?B?!!!?=\r\n\r\nbody",
        b"Content-Type: text/plain; charset=x-nonexistent\r\n\r\n\xe9t\xe9",
        b"Content-Type: multipart/mixed; boundary=none\r\n\r\nno parts at all",
        b"Subject: \xff\xfe\x00\r\nFrom: <<<>>>\r\n\r\n\x00\x01body",
    ],
)
def test_broken_messages_never_raise(raw):
    """Whatever the bytes, parsing gives a result whose texts can be stored."""
    mail = parse_message(raw)
    for text in (mail.sender, mail.sender_name, mail.subject, mail.body):
        text.encode("utf-8")
        assert "\x00" not in text
    assert len(mail.message_key) == 64


def test_unknown_charset_falls_back_to_a_readable_decoding():
    """A body in an unknown charset is still read (UTF-8, then Windows-1252)."""
    mail = parse_message(b"Content-Type: text/plain; charset=x-nonexistent\r\n\r\n\xe9t\xe9")
    assert mail.body == "été"


def test_message_key_ignores_angle_brackets_and_spaces():
    """The same Message-ID written differently is the same message."""
    assert message_key(b"a", " <id@x> ") == message_key(b"b", "id@x")


def test_html_to_text_keeps_blocks_on_lines():
    """Paragraphs and line breaks become lines; entities are decoded."""
    assert html_to_text("<p>Un&nbsp;&amp;</p><p>deux<br>trois</p>").split() == [
        "Un",
        "&",
        "deux",
        "trois",
    ]
