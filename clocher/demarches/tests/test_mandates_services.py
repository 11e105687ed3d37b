"""Mandates: recorded for the agent's own families, a year at most, revocable, journaled."""

import datetime

import pytest
from django.utils import timezone

from clocher.cimetiere.documents.pdf_text import pdf_text
from clocher.core.models import AuditEntry
from clocher.core.uploads import AcceptedUpload
from clocher.core.vault import read_file
from clocher.demarches.documents.mandate_consent import mandate_consent_pdf
from clocher.demarches.models import Family, Mandate
from clocher.demarches.services import mandates
from clocher.demarches.tests.factories import grant

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _record(commune, agent, **overrides):
    values = {
        "commune": commune,
        "actor": agent,
        "citizen_name": "Germaine Roux",
        "citizen_contact": "03 80 11 22 33",
        "families": [Family.SOCIAL],
        "valid_from": TODAY,
        "valid_until": TODAY + datetime.timedelta(days=300),
        "consent_reference": "Classeur Mandats, signé ce jour",
    }
    values.update(overrides)
    return mandates.mandate_record(**values)


@pytest.fixture
def social_agent(commune_a, agent_a):
    grant(agent_a, commune_a, Family.SOCIAL, Family.ROADS)
    return agent_a


def test_record_seals_the_citizen_and_journals(commune_a, social_agent):
    """Name and contact are sealed; the audit journal records it without the name."""
    mandate = _record(commune_a, social_agent)
    raw = Mandate.objects.filter(pk=mandate.pk).values("citizen_name", "citizen_contact").get()
    assert b"Germaine" not in bytes(raw["citizen_name"])
    stored = Mandate.objects.get(pk=mandate.pk)
    assert (stored.citizen_name, stored.families, stored.recorded_by) == (
        "Germaine Roux",
        ["social"],
        social_agent,
    )
    entry = AuditEntry.objects.filter(action="mandate_recorded").get()
    assert entry.target == f"demarches.Mandate:{mandate.pk}"
    assert "Germaine" not in entry.canonical()


def test_record_with_a_scan_stores_it_sealed(commune_a, social_agent):
    """The scanned consent goes to the vault."""
    scan = AcceptedUpload(
        data=b"%PDF-1.4 signed",
        name="mandat.pdf",
        content_type="application/pdf",
        was_downscaled=False,
    )
    mandate = _record(commune_a, social_agent, consent_scan=scan)
    assert read_file(mandate.consent_scan) == b"%PDF-1.4 signed"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"families": []}, "families"),
        ({"families": [Family.FISCAL]}, "families"),
        ({"families": ["inconnue"]}, "families"),
        ({"valid_until": TODAY + datetime.timedelta(days=400)}, "valid_until"),
        ({"valid_until": TODAY - datetime.timedelta(days=1)}, "valid_until"),
        (
            {
                "valid_from": TODAY - datetime.timedelta(days=30),
                "valid_until": TODAY - datetime.timedelta(days=2),
            },
            "valid_until",
        ),
        ({"citizen_name": "  "}, "citizen_name"),
        ({"consent_reference": ""}, "consent_reference"),
    ],
)
def test_record_refuses_bad_input(commune_a, social_agent, overrides, field):
    """Families not granted, more than a year, a past end, empty names: refused on the field."""
    with pytest.raises(mandates.MandateRefused) as refused:
        _record(commune_a, social_agent, **overrides)
    assert refused.value.field == field
    assert not Mandate.objects.exists()


def test_states_valid_upcoming_expired_revoked(commune_a, social_agent):
    """A mandate's state follows its dates and its revocation."""
    mandate = _record(commune_a, social_agent)
    assert mandates.mandate_state(mandate, TODAY) == mandates.MandateState.VALID
    assert mandates.mandate_state(mandate, TODAY - datetime.timedelta(days=1)) == "upcoming"
    assert mandates.mandate_state(mandate, TODAY + datetime.timedelta(days=301)) == "expired"
    assert mandates.mandate_revoke(mandate=mandate, actor=social_agent) is True
    assert mandates.mandate_revoke(mandate=mandate, actor=social_agent) is False
    assert mandates.mandate_state(Mandate.objects.get(pk=mandate.pk), TODAY) == "revoked"
    assert AuditEntry.objects.filter(action="mandate_revoked").count() == 1


def test_agents_only_see_mandates_of_their_families(commune_a, social_agent, admin_a):
    """An agent of the roads family only does not see a social mandate."""
    mandate = _record(commune_a, social_agent)
    grant(admin_a, commune_a, Family.ROADS)
    assert mandates.mandates_for_agent(social_agent, commune_a) == [mandate]
    assert mandates.mandates_for_agent(admin_a, commune_a) == []
    with pytest.raises(mandates.MandateRefused):
        mandates.mandate_revoke(mandate=mandate, actor=admin_a)


def test_valid_mandates_for_a_family(commune_a, social_agent):
    """For a counter entry: only valid mandates covering that family."""
    social = _record(commune_a, social_agent)
    revoked = _record(commune_a, social_agent, citizen_name="Autre")
    mandates.mandate_revoke(mandate=revoked, actor=social_agent)
    _record(commune_a, social_agent, families=[Family.ROADS])
    assert mandates.valid_mandates_for(social_agent, commune_a, Family.SOCIAL) == [social]


def test_blank_consent_form_pdf(commune_a):
    """The printable form names the commune, lists the families, says no credentials."""
    content, filename = mandate_consent_pdf(commune_a)
    assert content.startswith(b"%PDF")
    assert filename == "mandat-formulaire-agey.pdf"
    text = " ".join(pdf_text(content).split())
    assert "Mandat pour le suivi de mes démarches" in text
    assert "mairie de Agey" in text
    assert "☐ Social (CCAS)" in text
    assert "jamais mes identifiants" in text
