"""The decision letter: the text that applies to the commune, filled in, with the appeal routes,
the place, the date and the signatory."""

import datetime

import pytest

from clocher.cimetiere.documents.pdf_text import pdf_text
from clocher.demarches.documents.decision import decision_letter, decision_pdf
from clocher.demarches.models import Decision, DecisionTemplate, StatusKind
from clocher.demarches.services.documents import (
    decision_template_save,
    shared_decision_template_publish,
)
from clocher.demarches.tests.factories import make_procedure, submit

pytestmark = pytest.mark.django_db

DECIDED = datetime.datetime(2026, 4, 2, 14, 0, tzinfo=datetime.UTC)


def _decision(commune, outcome=StatusKind.REFUSED, motivation="La salle est déjà réservée."):
    request = submit(make_procedure(commune)).request
    decision = Decision(
        commune=commune, request=request, family=request.family, outcome=outcome, decided_at=DECIDED
    )
    decision.motivation = motivation
    decision.save()
    return decision


def _text(data: bytes) -> str:
    return " ".join(pdf_text(data).split())


def test_built_in_refusal_letter(commune_a):
    """Without any saved text, the built-in refusal states the reasons, routes and signatory."""
    decision = _decision(commune_a)
    text = _text(decision_pdf(decision))
    number = decision.request.number
    assert "Commune de Agey" in text
    assert "Décision de refus" in text
    assert f"Demande n° {number} — Nous écrire" in text
    assert f"Objet : votre demande « Nous écrire », n° {number}, reçue le" in text
    assert "pour les motifs suivants : La salle est déjà réservée." in text
    assert "Voies et délais de recours : Recours gracieux auprès du maire" in text
    assert "Fait à Agey, le 2 avril 2026 Le maire" in text


def test_commune_text_wins_over_shared_and_built_in(commune_a, commune_b, operator, admin_a):
    """The commune's copy applies to it; another commune's copy never does."""
    shared_decision_template_publish(
        operator=operator,
        actor=None,
        outcome="accepted",
        title="Accord (opérateur)",
        body="Texte partagé pour {numero}.",
        signatory="Le maire",
    )
    decision_template_save(
        commune=commune_b,
        actor=None,
        outcome="accepted",
        title="Accord de Beire",
        body="Texte de Beire.",
        signatory="Le maire de Beire",
    )
    decision = _decision(commune_a, outcome=StatusKind.ACCEPTED, motivation="")
    assert decision_letter(decision).title == "Accord (opérateur)"
    decision_template_save(
        commune=commune_a,
        actor=admin_a,
        outcome="accepted",
        title="Accord de la commune de {commune}",
        body="Votre demande {numero} est acceptée.\n\n{motivation}",
        signatory="Marie Dupont, maire de {commune}",
    )
    letter = decision_letter(decision)
    assert letter.title == "Accord de la commune de Agey"
    assert letter.sections[0].paragraphs == [
        f"Votre demande {decision.request.number} est acceptée."
    ]
    assert letter.signature == ["Marie Dupont, maire de Agey"]
    assert DecisionTemplate.objects.count() == 3


def test_appeal_routes_are_added_when_the_text_forgets_them(commune_a):
    """A text without {voies_de_recours} still ends with the appeal routes (CJA R421-5)."""
    decision_template_save(
        commune=commune_a,
        actor=None,
        outcome="closed",
        title="Classement",
        body="Votre demande est classée sans suite : {motivation}",
        signatory="Le maire",
    )
    decision = _decision(commune_a, outcome=StatusKind.CLOSED, motivation="Doublon.")
    text = _text(decision_pdf(decision))
    assert "Votre demande est classée sans suite : Doublon." in text
    assert "Voies et délais de recours Recours gracieux auprès du maire" in text


def test_unknown_placeholder_in_a_stored_text_is_printed_as_written(commune_a):
    """A stored text with an unknown name never breaks the letter: it stays as written."""
    DecisionTemplate.objects.create(
        commune=commune_a, outcome="refused", title="Refus", body="Bonjour {nom}.", signatory="M"
    )
    letter = decision_letter(_decision(commune_a))
    assert letter.sections[0].paragraphs == ["Bonjour {nom}."]
