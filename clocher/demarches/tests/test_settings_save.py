"""``procedure_settings_save``: texts, delays, retention, mandatory mentions of a published
procedure, and the statuses rules."""

from __future__ import annotations

import pytest

from clocher.demarches.models import Procedure, Request
from clocher.demarches.services.procedure_settings import SettingsRefused, procedure_settings_save
from clocher.demarches.services.statuses import DEFAULT_STATUSES, statuses_of
from clocher.demarches.tests.factories import make_procedure, submit

pytestmark = pytest.mark.django_db

DEFAULTS = [{"code": s.code, "label": s.label, "kind": s.kind.value} for s in DEFAULT_STATUSES]


@pytest.fixture
def procedure(commune_a):
    return make_procedure(commune_a)


def _refused(procedure, agent, **values):
    with pytest.raises(SettingsRefused) as refused:
        procedure_settings_save(procedure=procedure, actor=agent, **values)
    return refused.value.errors


def test_saves_texts_contact_and_delays(procedure, agent_a):
    """Every setting given is written, trimmed."""
    saved = procedure_settings_save(
        procedure=procedure,
        actor=agent_a,
        title="  Signaler un problème ",
        service_phone="03 80 11 22 33",
        silence_rule="refusal",
        silence_delay_months=4,
        processing_days=30,
        retention_months=24,
    )
    row = Procedure.objects.get(pk=procedure.pk)
    assert (row.title, row.service_phone, row.silence_rule) == (
        "Signaler un problème",
        "03 80 11 22 33",
        "refusal",
    )
    assert (row.silence_delay_months, row.processing_days, row.retention_months) == (4, 30, 24)
    assert saved.retention_shortened is False


def test_shorter_retention_is_reported(procedure, agent_a):
    """Going from 12 to 6 months is flagged, so the page can warn it applies to future closures."""
    saved = procedure_settings_save(procedure=procedure, actor=agent_a, retention_months=6)
    assert saved.retention_shortened is True


def test_bad_values_are_refused_by_setting(procedure, agent_a):
    """An empty title, a bad e-mail, an out-of-range delay and an unknown silence rule."""
    errors = _refused(
        procedure,
        agent_a,
        title=" ",
        service_email="pas-une-adresse",
        silence_delay_months=0,
        silence_rule="maybe",
    )
    assert errors == {
        "title": ["Le titre de la démarche ne peut pas être vide."],
        "service_email": ["Adresse électronique non valable."],
        "silence_delay_months": ["Un nombre entier entre 1 et 24."],
        "silence_rule": ["Choisissez le sens du silence dans la liste."],
    }
    assert Procedure.objects.get(pk=procedure.pk).title == "Nous écrire"


def test_emptying_a_mandatory_mention_of_a_published_procedure_is_refused(procedure, agent_a):
    """The service's e-mail cannot be emptied while published; the message names it."""
    errors = _refused(procedure, agent_a, service_email="", title="Nouveau titre")
    assert list(errors) == ["service_email"]
    assert "« Adresse électronique du service » est vide" in errors["service_email"][0]
    row = Procedure.objects.get(pk=procedure.pk)
    assert (row.service_email, row.title) == ("mairie@example.test", "Nous écrire")


def test_an_unpublished_procedure_may_have_empty_mentions(commune_a, agent_a):
    """Before publication, the contact can be filled in little by little."""
    procedure = make_procedure(commune_a, is_published=False)
    procedure_settings_save(procedure=procedure, actor=agent_a, service_email="", appeal_routes="")
    row = Procedure.objects.get(pk=procedure.pk)
    assert (row.service_email, row.appeal_routes) == ("", "")


def test_custom_statuses_are_saved(procedure, agent_a):
    """A status added between « in progress » and the final ones is kept in order."""
    statuses = [
        *DEFAULTS[:2],
        {
            "code": "sent_to_works",
            "label": "Transmise aux services techniques",
            "kind": "in_progress",
        },
        *DEFAULTS[2:],
    ]
    procedure_settings_save(procedure=procedure, actor=agent_a, statuses=statuses)
    procedure.refresh_from_db()
    assert [status.code for status in statuses_of(procedure)] == [
        "received",
        "in_progress",
        "sent_to_works",
        "waiting_citizen",
        "accepted",
        "refused",
        "closed",
    ]


def test_statuses_rules(procedure, agent_a):
    """The first is « received », each final kind is present, codes are unique and valid."""
    errors = _refused(
        procedure,
        agent_a,
        statuses=[
            {"code": "in_progress", "label": "En cours", "kind": "in_progress"},
            {"code": "received", "label": "Reçue", "kind": "received"},
            {"code": "accepted", "label": "Acceptée", "kind": "accepted"},
        ],
    )
    assert errors == {
        "statuses": [
            "Le premier statut doit être de nature « Reçue » : c'est celui d'une demande qui "
            "arrive.",
            "Il faut au moins un statut de nature « Classée sans suite ».",
            "Il faut au moins un statut de nature « Refusée ».",
        ]
    }
    errors = _refused(
        procedure,
        agent_a,
        statuses=[*DEFAULTS, {"code": "Bad Code", "label": "", "kind": "other"}, DEFAULTS[0]],
    )
    assert errors["statuses"] == [
        "Statut « Bad Code » : le code commence par une lettre minuscule et ne contient que des "
        "lettres minuscules sans accent, des chiffres et « _ » (40 au plus).",
        "Statut « Bad Code » : le libellé est vide.",
        "Statut « Bad Code » : choisissez sa nature.",
        "Statut « Reçue » : le code « received » est utilisé deux fois.",
    ]
    assert Procedure.objects.get(pk=procedure.pk).statuses == []


def test_a_status_in_use_cannot_be_removed_nor_change_kind(procedure, agent_a):
    """A request is « received », another « in progress »: those statuses stay, with their kind;
    their label may change."""
    submit(procedure)
    second = submit(procedure).request
    Request.objects.filter(pk=second.pk).update(status="in_progress", status_kind="in_progress")
    errors = _refused(procedure, agent_a, statuses=[DEFAULTS[0], *DEFAULTS[2:]])
    assert errors == {
        "statuses": [
            "Le statut « En cours d'instruction » ne peut pas être retiré : 1 demande(s) sont "
            "dans ce statut."
        ]
    }
    changed = [DEFAULTS[0], {**DEFAULTS[1], "kind": "waiting_citizen"}, *DEFAULTS[2:]]
    errors = _refused(procedure, agent_a, statuses=changed)
    assert errors == {
        "statuses": [
            "Le statut « En cours d'instruction » ne peut pas changer de nature : 1 demande(s) "
            "sont dans ce statut."
        ]
    }
    renamed = [{**DEFAULTS[0], "label": "Bien reçue"}, *DEFAULTS[1:]]
    procedure_settings_save(procedure=procedure, actor=agent_a, statuses=renamed)
    procedure.refresh_from_db()
    assert statuses_of(procedure)[0].label == "Bien reçue"


def test_unknown_setting_is_a_programming_error(procedure, agent_a):
    """A setting name the service does not know raises TypeError."""
    with pytest.raises(TypeError):
        procedure_settings_save(procedure=procedure, actor=agent_a, slug="autre")
