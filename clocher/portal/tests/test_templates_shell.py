"""The page shell: language, skip link, landmarks, and nothing the CSP would block."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/communes/agey/", "/accessibilite/", "/pas-de-page/"])
def test_shell_landmarks_and_skip_link(client, commune_a, url):
    """lang, one h1, a skip link to main, header, nav, main and footer."""
    content = client.get(url).content.decode()
    assert '<html lang="fr">' in content
    assert '<a class="skip-link" href="#contenu">Aller au contenu</a>' in content
    assert '<main id="contenu"' in content
    assert content.count("<h1") == 1
    for landmark in ("<header", "<nav", "<footer"):
        assert landmark in content


@pytest.mark.parametrize("url", ["/", "/communes/agey/", "/accessibilite/"])
def test_no_inline_style_or_script(client, commune_a, url):
    """No style attribute, no <style> and no inline <script>: the CSP forbids them."""
    content = client.get(url).content.decode()
    assert " style=" not in content
    assert "<style" not in content
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", content) == []


def test_english_is_available(client, commune_a):
    """The language switch offers English and French."""
    content = client.get("/").content.decode()
    assert '<option value="en"' in content
    assert '<option value="fr" selected lang="fr">' in content


def test_pages_render_in_english(client, commune_a):
    """With English chosen, the shell and the pages speak English."""
    content = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in content
    assert "Your commune's digital services" in content
    assert "Skip to content" in content
