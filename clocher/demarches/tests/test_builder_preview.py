"""The preview lists every conditional path through the draft, each with its answers and the
fields shown as the citizen sees them (read-only), and warns when the list was cut."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.demarches.services import builder
from clocher.demarches.tests.factories import make_procedure

pytestmark = pytest.mark.django_db

THREE_WAYS = {
    "fields": [
        {
            "type": "choice",
            "name": "kind",
            "label": "Type de signalement",
            "required": True,
            "choices": [
                {"value": "road", "label": "Voirie"},
                {"value": "lighting", "label": "Éclairage"},
                {"value": "other", "label": "Autre"},
            ],
        },
        {
            "type": "text",
            "name": "street",
            "label": "Nom de la rue",
            "condition": {"field": "kind", "op": "equals", "value": "road"},
        },
        {
            "type": "text",
            "name": "pole",
            "label": "Numéro du lampadaire",
            "condition": {"field": "kind", "op": "equals", "value": "lighting"},
        },
        {"type": "textarea", "name": "details", "label": "Précisions"},
    ]
}


def _preview(client, procedure):
    return client.get(
        reverse(
            "staff:demarches:form-preview",
            kwargs={"commune_slug": procedure.commune.slug, "online_procedure": procedure.pk},
        )
    )


def test_preview_lists_three_paths_for_a_three_choice_driver(commune_a, agent_a):
    """Voirie shows the street, Éclairage the pole, Autre neither: three paths."""
    procedure = make_procedure(commune_a, schema=THREE_WAYS)
    response = _preview(signed_in_client(agent_a), procedure)
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["paths"]) == 3
    assert re.findall(r'<h2 id="parcours-\d-titre">([^<]+)</h2>', html) == [
        "Parcours 1",
        "Parcours 2",
        "Parcours 3",
    ]
    answers = [path["answers"] for path in response.context["paths"]]
    assert answers == [
        (("Type de signalement", "Voirie"),),
        (("Type de signalement", "Éclairage"),),
        (("Type de signalement", "Autre"),),
    ]
    shown = [[view.spec.name for view in path["page"].fields] for path in response.context["paths"]]
    assert shown == [
        ["kind", "street", "details"],
        ["kind", "pole", "details"],
        ["kind", "details"],
    ]
    assert 'id="parcours-2-field-pole"' in html
    assert re.search(r'<input type="text" id="parcours-1-field-street"[^>]* disabled>', html)
    assert "trop de combinaisons" not in html


def test_preview_shows_the_draft_not_the_published_form(commune_a, agent_a):
    """After adding a field to the draft, the preview includes it."""
    procedure = make_procedure(commune_a, schema=THREE_WAYS)
    draft = builder.draft_open(procedure=procedure, actor=agent_a)
    builder.field_add(draft=draft, spec_dict={"type": "email", "label": "Courriel"})
    response = _preview(signed_in_client(agent_a), procedure)
    assert all(
        "courriel" in [view.spec.name for view in path["page"].fields]
        for path in response.context["paths"]
    )


def test_preview_warns_when_the_list_was_cut(commune_a, agent_a):
    """Seven independent checkboxes make 128 paths: the list is cut and the page says so."""
    fields: list[dict[str, Any]] = []
    for index in range(7):
        fields.append({"type": "checkbox", "name": f"box{index}", "label": f"Case {index}"})
        fields.append(
            {
                "type": "text",
                "name": f"text{index}",
                "label": f"Texte {index}",
                "condition": {"field": f"box{index}", "op": "checked"},
            }
        )
    procedure = make_procedure(commune_a, schema={"fields": fields})
    response = _preview(signed_in_client(agent_a), procedure)
    assert response.context["truncated"] is True
    assert len(response.context["paths"]) == 64
    assert "seuls les 64 premiers parcours trouvés sont affichés" in response.content.decode()
