"""Family grants: the admin's matrix and the audited service behind it."""

import pytest
from django.urls import reverse

from clocher.core.models.audit import AuditAction, AuditEntry
from clocher.core.testing.clients import signed_in_client
from clocher.demarches.models import Family, FamilyGrant
from clocher.demarches.selectors import granted_families
from clocher.demarches.services.grants import GrantRefused, family_grants_set
from clocher.demarches.tests.factories import grant

pytestmark = pytest.mark.django_db


def _families(user, commune):
    return set(
        FamilyGrant.objects.filter(user=user, commune=commune).values_list("family", flat=True)
    )


def test_service_sets_exactly_the_families_and_audits(commune_a, admin_a, agent_a):
    """Granted and revoked families are applied and each side is audited."""
    grant(agent_a, commune_a, Family.SOCIAL)
    granted, revoked = family_grants_set(
        commune=commune_a, actor=admin_a, user=agent_a, families=[Family.ROADS, Family.GENERAL]
    )
    assert (granted, revoked) == ({Family.ROADS, Family.GENERAL}, {Family.SOCIAL})
    assert _families(agent_a, commune_a) == {"roads", "general"}
    assert granted_families(agent_a, commune_a) == {"roads", "general"}
    entries = AuditEntry.objects.filter(target=f"user:{agent_a.pk}").order_by("id")
    assert [(entry.action, entry.data["families"]) for entry in entries] == [
        (AuditAction.ROLE_GRANTED, ["general", "roads"]),
        (AuditAction.ROLE_REVOKED, ["social"]),
    ]


def test_service_refuses_members_who_cannot_process(commune_a, admin_a, elected_a):
    """An elected official cannot be granted a family."""
    with pytest.raises(GrantRefused):
        family_grants_set(
            commune=commune_a, actor=admin_a, user=elected_a, families=[Family.SOCIAL]
        )
    assert _families(elected_a, commune_a) == set()


def test_service_refuses_unknown_family(commune_a, admin_a, agent_a):
    """A forged family value is refused."""
    with pytest.raises(GrantRefused):
        family_grants_set(commune=commune_a, actor=admin_a, user=agent_a, families=["secret"])


def test_matrix_shows_members_who_can_process(commune_a, admin_a, agent_a, elected_a):
    """Rows for admins and agents with a checkbox per family; elected officials are not listed."""
    grant(agent_a, commune_a, Family.ROADS)
    response = signed_in_client(admin_a).get(
        reverse("staff:demarches:grants", kwargs={"commune_slug": commune_a.slug})
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert (
        f'name="families-{agent_a.pk}" value="roads" id="grant-{agent_a.pk}-roads" checked'
        in content
    )
    assert f'name="families-{admin_a.pk}" value="social"' in content
    assert f'name="families-{elected_a.pk}"' not in content


def test_matrix_post_saves_every_row(commune_a, admin_a, agent_a):
    """Posting the matrix gives each member exactly the ticked families, then redirects."""
    grant(agent_a, commune_a, Family.ROADS)
    response = signed_in_client(admin_a).post(
        reverse("staff:demarches:grants", kwargs={"commune_slug": commune_a.slug}),
        {
            f"families-{agent_a.pk}": [Family.SOCIAL, Family.SCHOOL],
            f"families-{admin_a.pk}": [Family.GENERAL],
        },
    )
    assert response.status_code == 302
    assert _families(agent_a, commune_a) == {"social", "school"}
    assert _families(admin_a, commune_a) == {"general"}


def test_matrix_post_with_forged_family_changes_nothing(commune_a, admin_a, agent_a):
    """A forged value is refused with a message; no row is changed, the ticks are kept."""
    grant(agent_a, commune_a, Family.ROADS)
    response = signed_in_client(admin_a).post(
        reverse("staff:demarches:grants", kwargs={"commune_slug": commune_a.slug}),
        {
            f"families-{admin_a.pk}": [Family.GENERAL],
            f"families-{agent_a.pk}": ["roads", "secret"],
        },
    )
    assert response.status_code == 400
    assert "Famille inconnue : secret." in response.content.decode()
    assert _families(admin_a, commune_a) == set()
    assert _families(agent_a, commune_a) == {"roads"}
