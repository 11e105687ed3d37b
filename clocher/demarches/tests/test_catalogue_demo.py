"""Demo content: the demo commune adopts and publishes all eight templates, with requests."""

from __future__ import annotations

import pytest

from clocher.core.testing.factories import CommuneFactory, MembershipFactory
from clocher.demarches import demo
from clocher.demarches.catalogue import BUILT_IN
from clocher.demarches.models import Channel, Family, FamilyGrant, Procedure, Request
from clocher.demarches.selectors import granted_families
from clocher.tenancy.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def vaux(operator):
    return CommuneFactory(
        operator=operator,
        name="Vaux-la-Cloche",
        slug="vaux-la-cloche",
        insee_code="21901",
        address="2 place de l'Église\n21900 Vaux-la-Cloche",
        email="mairie@vaux-la-cloche.demo",
        phone="03 80 00 00 01",
    )


@pytest.fixture
def people(vaux):
    secretary = MembershipFactory(commune=vaux, role=Role.COMMUNE_ADMIN).user
    MembershipFactory(commune=vaux, user=secretary, role=Role.AGENT)
    agent = MembershipFactory(commune=vaux, role=Role.AGENT).user
    mayor = MembershipFactory(commune=vaux, role=Role.ELECTED).user
    return {"secretary": secretary, "agent": agent, "mayor": mayor}


def test_demo_adopts_and_publishes_every_template(vaux, people):
    """Every template of the catalogue is adopted and online, with the commune's details."""
    demo.load(commune=vaux, staff={})
    procedures = Procedure.objects.for_commune(vaux)
    assert sorted(procedures.values_list("slug", flat=True)) == [
        "acte-etat-civil",
        "aide-sociale-ccas",
        "ayant-droit-concession",
        "concession-funeraire",
        "contact",
        "exhumation",
        "inscription-cantine-periscolaire",
        "rendez-vous-maire",
        "renouvellement-concession",
        "reservation-salle",
        "signalement",
    ]
    assert all(procedure.is_published for procedure in procedures)
    assert set(procedures.values_list("service_email", flat=True)) == {"mairie@vaux-la-cloche.demo"}


def test_demo_grants_families_by_role(vaux, people):
    """The admin gets every family, the agent every family but social, the mayor none."""
    demo.load(commune=vaux, staff={})
    assert granted_families(people["secretary"], vaux) == set(Family.values)
    assert granted_families(people["agent"], vaux) == set(Family.values) - {"social"}
    assert granted_families(people["mayor"], vaux) == set()


def test_demo_requests_come_through_every_channel(vaux, people):
    """Sixteen requests, each valid for its form, received on the web, counter, phone, letter."""
    demo.load(commune=vaux, staff={})
    requests = Request.objects.for_commune(vaux)
    assert requests.count() == 16
    assert set(requests.values_list("channel", flat=True)) == {
        Channel.WEB,
        Channel.COUNTER,
        Channel.PHONE,
        Channel.LETTER,
    }
    assert set(requests.values_list("procedure__slug", flat=True)) == set(
        Procedure.objects.for_commune(vaux).values_list("slug", flat=True)
    )
    social = requests.get(procedure__slug="aide-sociale-ccas")
    assert (social.entered_by, social.personal()["applicant_name"]) == (
        people["secretary"],
        "Nathalie Ferrand",
    )


def test_demo_twice_creates_nothing_new(vaux, people):
    """Loading the demo again adds no procedure, grant or request."""
    demo.load(commune=vaux, staff={})
    counts = (
        Procedure.objects.count(),
        FamilyGrant.objects.count(),
        Request.objects.count(),
    )
    demo.load(commune=vaux, staff={})
    assert (
        Procedure.objects.count(),
        FamilyGrant.objects.count(),
        Request.objects.count(),
    ) == counts


def test_other_demo_communes_get_three_requests(commune_a, admin_a):
    """A smaller demo commune gets the catalogue and three requests."""
    from clocher.tenancy.services import commune_update

    commune_update(commune=commune_a, address="1 place", email="m@agey.test", phone="0380000000")
    demo.load(commune=commune_a, staff={})
    assert Procedure.objects.for_commune(commune_a).filter(is_published=True).count() == len(
        BUILT_IN
    )
    assert sorted(
        Request.objects.for_commune(commune_a).values_list("procedure__slug", flat=True)
    ) == ["acte-etat-civil", "contact", "signalement"]
