"""Burial, exhumation and transfer forms: refusals tied to their field, nothing typed is lost."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clocher.cimetiere.models import (
    Burial,
    ConcessionScope,
    Holder,
    Operation,
    OperationKind,
    Plot,
)
from clocher.cimetiere.tests.factories import (
    BurialFactory,
    ConcessionFactory,
    PlotFactory,
    SectionFactory,
)
from clocher.core.testing.clients import signed_in_client

pytestmark = pytest.mark.django_db


def _plot(commune, **concession):
    plot = PlotFactory.create(section__cemetery__commune=commune, capacity=2)
    ConcessionFactory.create(plot=plot, act_date=datetime.date(2015, 1, 1), **concession)
    return plot


def _burial_data(**overrides):
    data = {
        "last_name": "DURAND",
        "first_names": "Jeanne",
        "death_date": "2025-03-01",
        "buried_on": "2025-03-05",
        "container": "coffin",
        "requested_by": "Pompes funèbres Roy",
    }
    data.update(overrides)
    return data


def test_burial_form_records_and_redirects_to_the_operation(commune_a, agent_a):
    """A valid form writes the burial and shows the operation."""
    plot = _plot(commune_a)
    response = signed_in_client(agent_a).post(
        reverse("staff:cimetiere:burial-create", args=[commune_a.slug, plot.pk]), _burial_data()
    )
    operation = Operation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "staff:cimetiere:operation", args=[commune_a.slug, operation.pk]
    )
    assert operation.burial is not None
    assert (operation.kind, operation.recorded_by, operation.burial.plot) == (
        OperationKind.BURIAL,
        agent_a,
        plot,
    )


def test_burial_before_death_is_an_error_on_the_burial_date_and_keeps_the_input(commune_a, agent_a):
    """The refusal sits on the burial date; the name typed stays in the form."""
    plot = _plot(commune_a)
    response = signed_in_client(agent_a).post(
        reverse("staff:cimetiere:burial-create", args=[commune_a.slug, plot.pk]),
        _burial_data(buried_on="2025-02-27", first_names="Éloïse"),
    )
    content = response.content.decode()
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "buried_on": ["L'inhumation (27/02/2025) ne peut pas précéder le décès (01/03/2025)."]
    }
    assert 'value="Éloïse"' in content and 'value="2025-02-27"' in content
    assert 'aria-invalid="true"' in content
    assert Burial.objects.count() == 0


def test_burial_form_with_an_impossible_date_answers_a_message(commune_a, agent_a):
    """« 31/02/2025 » is a field error, never a server error."""
    plot = _plot(commune_a)
    response = signed_in_client(agent_a).post(
        reverse("staff:cimetiere:burial-create", args=[commune_a.slug, plot.pk]),
        _burial_data(death_date="31/02/2025"),
    )
    assert response.status_code == 422
    assert response.context["form"].errors["death_date"] == ["Date attendue au format JJ/MM/AAAA."]


def test_burial_with_a_warning_waits_for_confirmation(commune_a, agent_a):
    """Not a named beneficiary: the form shows the warning; confirmed, it records."""
    plot = _plot(commune_a, scope=ConcessionScope.INDIVIDUAL)
    Holder.objects.create(
        commune=commune_a, concession=plot.concessions.get(), full_name="Paul MARTIN"
    )
    client = signed_in_client(agent_a)
    url = reverse("staff:cimetiere:burial-create", args=[commune_a.slug, plot.pk])
    first = client.post(url, _burial_data())
    assert first.status_code == 200
    assert len(first.context["warnings"]) == 1
    assert "n&#x27;est pas nommé(e) parmi les titulaires" in first.content.decode()
    assert Burial.objects.count() == 0
    second = client.post(url, _burial_data(confirm_warnings="on"))
    assert second.status_code == 302
    assert Burial.objects.count() == 1


def test_exhumation_form_without_sworn_statement_is_refused_on_that_field(
    commune_a, agent_a, elected_a
):
    """The refusal is tied to the sworn-statement checkbox; the burial stays present."""
    plot = _plot(commune_a)
    burial = BurialFactory.create(plot=plot)
    url = reverse("staff:cimetiere:exhumation-create", args=[commune_a.slug, plot.pk])
    data = {
        "burial": burial.pk,
        "requested_by": "Anne PETIT",
        "requester_relationship": "fille",
        "authorised_by": elected_a.pk,
        "authorised_on": "2025-01-02",
        "performed_on": "2025-01-10",
        "attended_by": "Anne PETIT",
        "destination": "Crématorium",
    }
    client = signed_in_client(agent_a)
    response = client.post(url, data)
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["sworn_statement_received"]
    assert 'value="Anne PETIT"' in response.content.decode()
    burial.refresh_from_db()
    assert burial.is_present is True
    done = client.post(url, {**data, "sworn_statement_received": "on"})
    assert done.status_code == 302
    burial.refresh_from_db()
    assert burial.is_present is False


def test_exhumation_form_offers_only_the_communes_elected_officials(
    commune_a, agent_a, elected_a, admin_b
):
    """The authoriser list holds the commune's elected officials only."""
    plot = _plot(commune_a)
    BurialFactory.create(plot=plot)
    response = signed_in_client(agent_a).get(
        reverse("staff:cimetiere:exhumation-create", args=[commune_a.slug, plot.pk])
    )
    assert list(response.context["form"].fields["authorised_by"].queryset) == [elected_a]


def test_plots_batch_form_creates_the_row(commune_a, agent_a):
    """« Rang A, numéros 1 à 5 » from the form."""
    section = SectionFactory.create(cemetery__commune=commune_a, name="A")
    response = signed_in_client(agent_a).post(
        reverse("staff:cimetiere:plots-create", args=[commune_a.slug, section.cemetery_id]),
        {
            "section": section.pk,
            "row_name": "Rang A",
            "number_prefix": "A",
            "number_from": "1",
            "number_to": "5",
            "kind": "concession_ground",
            "capacity": "2",
            "grid_x": "0",
            "grid_y": "0",
            "grid_width": "1",
            "grid_height": "2",
        },
    )
    assert response.status_code == 302
    assert sorted(Plot.objects.filter(section=section).values_list("number", flat=True)) == [
        "A1",
        "A2",
        "A3",
        "A4",
        "A5",
    ]


def test_geometry_import_form_shows_line_errors_and_writes_nothing(commune_a, agent_a):
    """A CSV with an unknown plot: the line is named, nothing is written."""
    plot = PlotFactory.create(section__cemetery__commune=commune_a, section__name="A", number="1")
    upload = SimpleUploadedFile(
        "contours.csv", b"section,plot,x,y,width,height\nA,1,0,0,1,2\nA,9,2,0,1,2\n"
    )
    response = signed_in_client(agent_a).post(
        reverse("staff:cimetiere:geometry-import", args=[commune_a.slug, plot.cemetery_id]),
        {"file_format": "csv", "units": "auto", "file": upload},
    )
    assert response.status_code == 422
    assert "Ligne 3 : Emplacement inconnu : carré A, n° 9." in response.content.decode()
    plot.refresh_from_db()
    assert plot.geometry is None
