"""Hostile or broken input on the citizen's form: an error on the field, never a 500."""

import pytest

from clocher.demarches.models import Draft, Request
from clocher.demarches.services import drafts
from clocher.demarches.tests.support_public import make_multi_page, post_page, start, url


@pytest.fixture
def started(client, commune_a):
    procedure = make_multi_page(commune_a)
    start(client, procedure)
    return procedure


@pytest.mark.django_db
def test_unknown_fields_are_ignored_and_never_stored(client, started):
    """Names that are not in the form are not read, so they never reach the draft."""
    response = post_page(
        client,
        started,
        0,
        {"field-topic": "lighting", "field-pole": "L-1", "field-is_admin": "1", "evil": "x"},
    )
    assert response.status_code == 302
    assert drafts.draft_content(Draft.objects.get()).values == {
        "topic": "lighting",
        "pole": "L-1",
    }


@pytest.mark.django_db
def test_a_forged_choice_gets_an_error_on_its_field(client, started):
    """A value that is not one of the choices is refused with a message, the page shown again."""
    response = post_page(client, started, 0, {"field-topic": "<script>alert(1)</script>"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Choisissez une des réponses proposées." in content
    assert "<script>alert(1)</script>" not in content


@pytest.mark.django_db
def test_a_huge_string_gets_an_error(client, started):
    """A text far beyond any limit is refused on its field."""
    response = post_page(
        client, started, 0, {"field-topic": "lighting", "field-pole": "x" * 300_000}
    )
    assert response.status_code == 200
    assert "Ce texte est beaucoup trop long." in response.content.decode()
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_non_utf8_bytes_in_the_post_get_an_error_not_a_crash(client, started):
    """Invalid UTF-8 in the body is decoded with replacement characters and validated."""
    response = client.generic(
        "POST",
        url("fill", started),
        b"page=0&field-topic=%FF%FE&field-pole=%C3%28",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "Choisissez une des réponses proposées." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["-1", "abc", "99999", "", "1e9", "²", "١"])
def test_a_forged_page_number_never_fails(client, started, page):
    """Whatever the page number posted, the answer is a page or a redirect."""
    response = client.post(url("fill", started), {"page": page, "field-topic": "road"})
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_hostile_summary_post_never_fails(client, started):
    """Nonsense on the summary page: errors, no request stored."""
    response = client.post(
        url("summary", started),
        {"email": "\x00" * 10, "consent": "peut-être", "action": "submit", "page": "x"},
    )
    assert response.status_code in (200, 302)
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_pages_without_a_draft_send_back_to_the_start(client, commune_a):
    """The form pages without a draft cookie redirect to the procedure's start page."""
    procedure = make_multi_page(commune_a)
    for name in ("fill", "summary", "saved"):
        response = client.post(url(name, procedure), {"page": "0"})
        assert response.status_code == 302
        assert response["Location"] == url("start", procedure)
