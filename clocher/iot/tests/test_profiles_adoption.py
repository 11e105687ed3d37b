"""A commune adopts the profiles its operator publishes: the profiles page, adopting, stopping
(refused while a device uses the profile), the claim form, and adoption recorded when a device
is registered by CSV or by `clocher iot add-device` with a profile not adopted yet."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import CommuneFactory, OperatorFactory
from clocher.iot.models import AdoptionChannel, Device, PendingDevice, ProfileAdoption
from clocher.iot.services.devices import device_add, devices_import_csv
from clocher.iot.services.profiles import profile_adopt, profile_adoption_stop
from clocher.iot.tests.factories import device, profile
from clocher.tenancy.models import Commune

pytestmark = pytest.mark.django_db

READERS = ["admin_a", "agent_a", "elected_a", "technician_a", "operator_admin", "operator_support"]
MANAGERS = ["admin_a", "technician_a"]
NOT_MANAGERS = ["agent_a", "elected_a", "operator_admin", "operator_support"]


def _list(commune) -> str:
    return reverse("staff:iot:profiles", args=[commune.slug])


def _adopt(commune) -> str:
    return reverse("staff:iot:profile-adopt", args=[commune.slug])


def _stop(commune, adoption) -> str:
    return reverse("staff:iot:profile-stop", args=[commune.slug, adoption.pk])


# --- Authorization ------------------------------------------------------------------------------


def test_anonymous_goes_to_sign_in(commune_a, operator):
    """An anonymous visitor is sent to sign in and adopts nothing."""
    elsys = profile(operator)
    client = Client()
    for response in (
        client.get(_list(commune_a)),
        client.post(_adopt(commune_a), {"profile": elsys.pk}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert not ProfileAdoption.objects.exists()


def test_member_of_another_commune_gets_not_found(commune_a, operator, admin_b):
    """An administrator of commune B can neither read A's page nor adopt or stop for A."""
    adoption = ProfileAdoption.objects.create(commune=commune_a, profile=profile(operator))
    other = profile(operator, slug="other")
    client = signed_in_client(admin_b)
    assert client.get(_list(commune_a)).status_code == 404
    assert client.post(_adopt(commune_a), {"profile": other.pk}).status_code == 404
    assert client.post(_stop(commune_a, adoption)).status_code == 404
    assert list(ProfileAdoption.objects.values_list("commune_id", "profile_id")) == [
        (commune_a.pk, adoption.profile_id)
    ]


@pytest.mark.parametrize("role", READERS)
def test_every_role_reads_the_profiles_page(commune_a, operator, role, request):
    """Every commune role and the operator's staff read the page."""
    profile(operator)
    assert signed_in_client(request.getfixturevalue(role)).get(_list(commune_a)).status_code == 200


@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_roles_without_manage_devices_cannot_adopt_or_stop(commune_a, operator, role, request):
    """Agents, elected officials and operator staff are refused; nothing changes."""
    adoption = ProfileAdoption.objects.create(commune=commune_a, profile=profile(operator))
    other = profile(operator, slug="other")
    client = signed_in_client(request.getfixturevalue(role))
    assert client.post(_adopt(commune_a), {"profile": other.pk}).status_code == 403
    assert client.post(_stop(commune_a, adoption)).status_code == 403
    assert ProfileAdoption.objects.count() == 1
    assert "Adopter" not in client.get(_list(commune_a)).content.decode()


@pytest.mark.parametrize("role", MANAGERS)
def test_managers_adopt_and_stop(commune_a, operator, role, request):
    """The administrator and the technician adopt a published profile (who and when recorded)
    and stop using it."""
    elsys = profile(operator)
    person = request.getfixturevalue(role)
    client = signed_in_client(person)
    response = client.post(_adopt(commune_a), {"profile": elsys.pk}, follow=True)
    assert "La commune utilise désormais le profil « Elsys ERS CO2 »." in response.content.decode()
    adoption = ProfileAdoption.objects.get()
    assert (adoption.commune, adoption.profile, adoption.adopted_by, adoption.channel) == (
        commune_a,
        elsys,
        person,
        AdoptionChannel.PAGE,
    )
    assert client.post(_stop(commune_a, adoption))["Location"] == _list(commune_a)
    assert not ProfileAdoption.objects.exists()


# --- Rules --------------------------------------------------------------------------------------


def test_page_lists_published_and_adopted_profiles_with_their_use(
    commune_a, operator, technician_a
):
    """Published profiles are listed; an adopted profile withdrawn since stays, marked so; an
    unpublished profile never adopted is not shown; in-use profiles say why they cannot be
    dropped."""
    elsys = profile(operator)
    withdrawn = profile(operator, slug="old", model="Ancien modèle", is_published=False)
    profile(operator, slug="draft", model="Brouillon", is_published=False)
    ProfileAdoption.objects.create(commune=commune_a, profile=elsys)
    ProfileAdoption.objects.create(commune=commune_a, profile=withdrawn)
    device(commune_a, elsys)
    device(commune_a, elsys, dev_eui="0000000000000002")
    response = signed_in_client(technician_a).get(_list(commune_a))
    rows = {row.profile.slug: row for row in response.context["rows"]}
    assert set(rows) == {"elsys-ers-co2", "old"}
    assert rows["elsys-ers-co2"].device_count == 2
    page = response.content.decode()
    assert "retiré par l'opérateur" in page
    assert "Utilisé par 2 objets : changez leur profil ou supprimez-les" in page
    assert page.count("Ne plus utiliser") == 1  # only the withdrawn, unused one


def test_stopping_a_profile_in_use_is_refused_with_the_reason(commune_a, operator, admin_a):
    """A commune cannot stop using a profile its devices use: the adoption stays and the page
    says why."""
    elsys = profile(operator)
    adoption = ProfileAdoption.objects.create(commune=commune_a, profile=elsys)
    device(commune_a, elsys)
    response = signed_in_client(admin_a).post(_stop(commune_a, adoption), follow=True)
    assert (
        "Le profil « Elsys ERS CO2 » est utilisé par 1 objet de la commune : changez le profil de "
        "cet objet ou supprimez-le avant de ne plus l&#x27;utiliser."
    ) in response.content.decode()
    assert ProfileAdoption.objects.filter(pk=adoption.pk).exists()
    with pytest.raises(ValidationError, match="est utilisé par 1 objet"):
        profile_adoption_stop(adoption=adoption)


def test_another_communes_devices_do_not_block_stopping(commune_a, commune_b, operator):
    """Only the commune's own devices keep it from stopping."""
    elsys = profile(operator)
    adoption = ProfileAdoption.objects.create(commune=commune_a, profile=elsys)
    device(commune_b, elsys)
    profile_adoption_stop(adoption=adoption)
    assert not ProfileAdoption.objects.filter(commune=commune_a).exists()


def test_unpublished_or_foreign_profile_cannot_be_adopted(commune_a, operator, admin_a):
    """A profile the operator does not publish, or another operator's, is refused."""
    draft = profile(operator, slug="draft", is_published=False)
    foreign = profile(OperatorFactory(slug="ailleurs", name="Autre"), slug="foreign")
    client = signed_in_client(admin_a)
    for candidate in (draft, foreign):
        response = client.post(_adopt(commune_a), {"profile": candidate.pk}, follow=True)
        assert "Ce profil n&#x27;est pas proposé par l&#x27;opérateur de la commune." in (
            response.content.decode()
        )
    assert client.post(_adopt(commune_a), {"profile": "abc"}).status_code == 302
    assert not ProfileAdoption.objects.exists()
    with pytest.raises(ValidationError, match="n'est plus proposé"):
        profile_adopt(commune=commune_a, profile=draft)


def test_adopting_twice_keeps_the_first_adoption(commune_a, operator, admin_a, technician_a):
    """Adopting an adopted profile changes nothing."""
    elsys = profile(operator)
    first = profile_adopt(commune=commune_a, profile=elsys, actor=admin_a)
    again = profile_adopt(commune=commune_a, profile=elsys, actor=technician_a)
    assert again.pk == first.pk
    assert ProfileAdoption.objects.get().adopted_by == admin_a


def test_claim_form_offers_only_the_adopted_profiles(commune_a, operator, technician_a):
    """Registering a pending device offers the commune's adopted profiles, not the others."""
    adopted = profile(operator)
    profile(operator, slug="other", model="Modèle non adopté")
    ProfileAdoption.objects.create(commune=commune_a, profile=adopted)
    PendingDevice.objects.create(commune=commune_a, dev_eui="ABCDEF0123456789", uplinks=1)
    url = reverse("staff:iot:claim", args=[commune_a.slug, "ABCDEF0123456789"])
    client = signed_in_client(technician_a)
    response = client.get(url)
    assert list(response.context["form"].fields["profile"].queryset) == [adopted]
    assert _list(commune_a) in response.content.decode()
    other = profile(operator, slug="third")
    refused = client.post(
        url, {"profile": other.pk, "name": "X", "expected_interval_minutes": "60"}
    )
    assert refused.status_code == 200
    assert not Device.objects.exists()


# --- Automatic adoption -------------------------------------------------------------------------


def test_cli_add_device_adopts_the_profile_and_records_it(commune_a, operator):
    """`clocher iot add-device` with a profile not adopted adopts it (by the command)."""
    profile(operator)
    call_command(
        "iot",
        "add-device",
        "--commune",
        "agey",
        "--dev-eui",
        "A81758FFFE030A8F",
        "--profile",
        "elsys-ers-co2",
        stdout=StringIO(),
    )
    adoption = ProfileAdoption.objects.get()
    assert (adoption.commune, adoption.profile.slug, adoption.channel, adoption.adopted_by) == (
        commune_a,
        "elsys-ers-co2",
        AdoptionChannel.COMMAND,
        None,
    )
    assert adoption.adopted_at is not None


def test_cli_refuses_a_withdrawn_profile_not_adopted(commune_a, operator):
    """A profile the operator withdrew cannot be newly used by a commune from the command."""
    from django.core.management.base import CommandError

    profile(operator, is_published=False)
    with pytest.raises(CommandError, match="n'est plus proposé par l'opérateur"):
        call_command(
            "iot",
            "add-device",
            "--commune",
            "agey",
            "--dev-eui",
            "A81758FFFE030A8F",
            "--profile",
            "elsys-ers-co2",
            stdout=StringIO(),
        )
    assert not Device.objects.exists()
    assert not ProfileAdoption.objects.exists()


def test_withdrawn_profile_stays_usable_by_a_commune_that_adopted_it(commune_a, operator):
    """Withdrawal stops new adoptions only: the adopting commune still registers devices."""
    elsys = profile(operator, is_published=False)
    ProfileAdoption.objects.create(commune=commune_a, profile=elsys)
    registered = device_add(commune=commune_a, dev_eui="A81758FFFE030A8F", profile=elsys)
    assert registered.profile == elsys


def test_csv_import_adopts_new_profiles_once_and_records_who(commune_a, operator, admin_a):
    """The CSV import adopts each profile it uses that was not adopted, recording the person."""
    profile(operator)
    profile(operator, slug="em310", model="Milesight EM310-UDL")
    adopted_before = ProfileAdoption.objects.create(
        commune=commune_a, profile=profile(operator, slug="already")
    )
    content = (
        "dev_eui;profile\n"
        "0000000000000001;elsys-ers-co2\n"
        "0000000000000002;elsys-ers-co2\n"
        "0000000000000003;em310\n"
        "0000000000000004;already\n"
    )
    devices_import_csv(commune=commune_a, file=StringIO(content), actor=admin_a)
    adoptions = {a.profile.slug: a for a in ProfileAdoption.objects.select_related("profile")}
    assert set(adoptions) == {"elsys-ers-co2", "em310", "already"}
    for slug in ("elsys-ers-co2", "em310"):
        assert (adoptions[slug].channel, adoptions[slug].adopted_by) == (
            AdoptionChannel.CSV,
            admin_a,
        )
    assert adoptions["already"].pk == adopted_before.pk
    assert adoptions["already"].channel == AdoptionChannel.PAGE


def test_csv_import_through_the_page_records_the_person(commune_a, operator, technician_a):
    """Importing from the staff page records the signed-in person as having adopted."""
    profile(operator)
    upload = SimpleUploadedFile(
        "objets.csv", b"dev_eui;profile\n0000000000000001;elsys-ers-co2\n", "text/csv"
    )
    response = signed_in_client(technician_a).post(
        reverse("staff:iot:import", args=[commune_a.slug]), {"file": upload}
    )
    assert response.status_code == 302
    assert ProfileAdoption.objects.get().adopted_by == technician_a


def test_csv_line_with_a_withdrawn_profile_is_reported(commune_a, operator):
    """A line naming a profile withdrawn and not adopted is an error; nothing is written."""
    profile(operator)
    profile(operator, slug="old", is_published=False)
    content = "dev_eui;profile\n0000000000000001;elsys-ers-co2\n0000000000000002;old\n"
    with pytest.raises(ValidationError) as raised:
        devices_import_csv(commune=commune_a, file=StringIO(content))
    assert raised.value.messages == [
        "Ligne 3 : le profil « old » n'est plus proposé par l'opérateur."
    ]
    assert not Device.objects.exists()
    assert not ProfileAdoption.objects.exists()


def test_adoption_stays_within_the_commune(commune_a, operator):
    """A commune of another operator never sees nor adopts this operator's profiles."""
    elsys = profile(operator)
    other_operator = OperatorFactory(slug="ailleurs", name="Autre")
    CommuneFactory(operator=other_operator, slug="ailleurs", insee_code="39001")
    elsewhere = Commune.objects.get(slug="ailleurs")
    with pytest.raises(ValidationError, match="n'est pas publié par l'opérateur"):
        profile_adopt(commune=elsewhere, profile=elsys)
    with pytest.raises(ValidationError, match="n'est pas publié par l'opérateur"):
        device_add(commune=elsewhere, dev_eui="A81758FFFE030A8F", profile=elsys)
    assert not ProfileAdoption.objects.exists()
