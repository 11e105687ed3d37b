"""The console's list of communes, and creating a commune."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clocher.core.models import AuditEntry, CommuneKey
from clocher.core.models.audit import AuditAction
from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import CommuneFactory, MembershipFactory, OperatorFactory
from clocher.tenancy.models import Commune, Role

pytestmark = pytest.mark.django_db

CREATE = reverse("console:commune-create")


def test_list_shows_insee_population_members_and_backoffice_link(
    operator_admin, commune_a, admin_a, agent_a, commune_b
):
    """Each commune with its INSEE code, population, number of people and a back-office link."""
    MembershipFactory(commune=commune_a, user=agent_a, role=Role.TECHNICIAN)  # same person twice
    response = signed_in_client(operator_admin).get(reverse("console:communes"))
    content = response.content.decode()
    rows = {commune.name: commune for commune in response.context["page"].object_list}
    assert (rows["Agey"].insee_code, rows["Agey"].population, rows["Agey"].member_count) == (
        "21001",
        500,
        2,
    )
    assert rows["Beire"].member_count == 0
    assert 'href="/mairie/agey/"' in content


def test_list_hides_another_operators_communes(operator_admin, commune_a):
    """Communes hosted by another operator are not listed."""
    other = OperatorFactory(slug="autre-operateur", name="Autre")
    CommuneFactory(operator=other, name="Ailleurs", slug="ailleurs", insee_code="71001")
    response = signed_in_client(operator_admin).get(reverse("console:communes"))
    assert [c.name for c in response.context["page"].object_list] == ["Agey"]


def test_list_query_count_is_bounded(operator_admin, operator, django_assert_max_num_queries):
    """Forty communes cost no more queries than one."""
    client = signed_in_client(operator_admin)
    for index in range(40):
        commune = CommuneFactory(operator=operator)
        if index % 2:
            MembershipFactory(commune=commune)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("console:communes"))
    assert len(response.context["page"].object_list) == 40


def test_admin_creates_a_commune_with_its_key(operator_admin, operator):
    """A valid form creates the commune, its data key and a COMMUNE_CREATED entry."""
    response = signed_in_client(operator_admin).post(
        CREATE,
        {
            "name": "Sainte-Marie-sur-Ouche",
            "insee_code": "21565",
            "population": "820",
            "operator": operator.pk,
        },
    )
    assert response.status_code == 302
    commune = Commune.objects.get(insee_code="21565")
    assert (commune.slug, commune.population) == ("sainte-marie-sur-ouche", 820)
    assert CommuneKey.objects.filter(commune=commune).exists()
    assert (
        AuditEntry.objects.filter(action=AuditAction.COMMUNE_CREATED, commune=commune).count() == 1
    )


def test_homonym_gets_the_insee_code_in_its_slug(operator_admin, operator, commune_a):
    """A second commune of the same name gets a distinct address, not an error."""
    signed_in_client(operator_admin).post(
        CREATE, {"name": "Agey", "insee_code": "71002", "operator": operator.pk}
    )
    assert Commune.objects.get(insee_code="71002").slug == "agey-71002"


def test_duplicate_insee_code_is_an_error_on_the_field(operator_admin, operator, commune_a):
    """An INSEE code already used: the message names the commune, on the field; nothing created."""
    before = Commune.objects.count()
    response = signed_in_client(operator_admin).post(
        CREATE, {"name": "Doublon", "insee_code": "21001", "operator": operator.pk}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["insee_code"] == [
        "Ce code INSEE est déjà celui de la commune Agey."
    ]
    assert 'id="id_insee_code_error"' in content
    assert 'value="Doublon"' in content
    assert Commune.objects.count() == before


def test_malformed_insee_code_is_an_error_on_the_field(operator_admin, operator):
    """A postal-code-like typo of four digits is refused with the expected format."""
    response = signed_in_client(operator_admin).post(
        CREATE, {"name": "Essai", "insee_code": "2100", "operator": operator.pk}
    )
    assert response.context["form"].errors["insee_code"] == [
        "Un code INSEE a 5 caractères : 5 chiffres, ou 2A/2B puis 3 chiffres en Corse."
    ]
    assert not Commune.objects.filter(name="Essai").exists()


def test_support_cannot_create(operator_support, operator):
    """Operator support gets 403 on POST and no commune is created."""
    before = Commune.objects.count()
    response = signed_in_client(operator_support).post(
        CREATE, {"name": "Interdite", "insee_code": "21999", "operator": operator.pk}
    )
    assert response.status_code == 403
    assert Commune.objects.count() == before
