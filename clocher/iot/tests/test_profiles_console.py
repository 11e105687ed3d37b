"""The operator console's device profiles: who may read and write, create, edit, publish,
withdraw and delete (refused while a device uses the profile)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.core.testing.factories import OperatorFactory
from clocher.iot.models import DeviceProfile, ProfileAdoption
from clocher.iot.models.devices import CodecKind
from clocher.iot.tests.factories import device, profile

pytestmark = pytest.mark.django_db

LIST = reverse("console:iot-profiles")
CREATE = reverse("console:iot-profile-create")


def _edit(slug: str = "elsys-ers-co2") -> str:
    return reverse("console:iot-profile", kwargs={"profile_slug": slug})


def _publish(slug: str = "elsys-ers-co2") -> str:
    return reverse("console:iot-profile-publish", kwargs={"profile_slug": slug})


def _delete(slug: str = "elsys-ers-co2") -> str:
    return reverse("console:iot-profile-delete", kwargs={"profile_slug": slug})


def _create_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "slug": "em500-co2",
        "model": "Milesight EM500-CO2",
        "codec_kind": CodecKind.BUILTIN,
        "builtin_codec": "milesight-em500-co2",
        "quantities": "co2 ppm\ntemperature °C\nhumidity %\npressure hPa",
        "commands": "[]",
        "action": "enregistrer",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("person", "read", "write"),
    [
        ("operator_admin", 200, 302),
        ("operator_support", 200, 403),
        ("admin_a", 403, 403),
        ("technician_a", 403, 403),
        ("outsider", 403, 403),
    ],
)
def test_who_may_read_and_write_profiles(person, read, write, request, operator):
    """Operator staff read; only operator admins create, edit, publish and delete; commune staff
    get 403; a refused write changes nothing."""
    elsys = profile(operator)
    client = signed_in_client(request.getfixturevalue(person))
    assert client.get(LIST).status_code == read
    assert client.get(_edit()).status_code == read
    assert client.get(CREATE).status_code == (200 if write == 302 else 403)
    assert client.post(CREATE, _create_data()).status_code == write
    assert client.post(_edit(), _create_data(model="Renommé")).status_code == write
    assert client.post(_publish(), {"publier": "0"}).status_code == write
    elsys.refresh_from_db()
    if write == 302:
        assert DeviceProfile.objects.filter(slug="em500-co2").exists()
        assert (elsys.model, elsys.is_published) == ("Renommé", False)
    else:
        assert not DeviceProfile.objects.filter(slug="em500-co2").exists()
        assert (elsys.model, elsys.is_published) == ("Elsys ERS CO2", True)
    assert client.post(_delete("elsys-ers-co2")).status_code == write
    assert DeviceProfile.objects.filter(slug="elsys-ers-co2").exists() == (write != 302)


def test_anonymous_goes_to_sign_in(operator):
    """Anonymous visitors are sent to sign in and change nothing."""
    profile(operator)
    client = Client()
    for response in (
        client.get(LIST),
        client.post(CREATE, _create_data()),
        client.post(_publish(), {"publier": "0"}),
        client.post(_delete()),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert DeviceProfile.objects.get().is_published


def test_another_operators_profile_is_not_found(operator, operator_admin):
    """A profile of another operator is not reachable from this operator's console."""
    profile(OperatorFactory(slug="ailleurs", name="Autre opérateur"), slug="elsewhere")
    client = signed_in_client(operator_admin)
    assert client.get(_edit("elsewhere")).status_code == 404
    assert client.post(_publish("elsewhere"), {"publier": "0"}).status_code == 404
    assert client.post(_delete("elsewhere")).status_code == 404
    assert DeviceProfile.objects.get(slug="elsewhere").is_published


def test_create_saves_every_part_unpublished(operator, operator_admin):
    """A created profile keeps its model, codec, quantities and commands, and waits to be
    published."""
    commands = [{"name": "allumer", "label": "Allumer", "f_port": 10, "payload_hex": "01"}]
    response = signed_in_client(operator_admin).post(
        CREATE, _create_data(commands=json.dumps(commands))
    )
    created = DeviceProfile.objects.get(slug="em500-co2")
    assert response["Location"] == _edit("em500-co2")
    assert (created.operator, created.model, created.codec_kind, created.builtin_codec) == (
        operator,
        "Milesight EM500-CO2",
        "builtin",
        "milesight-em500-co2",
    )
    assert created.quantities == {
        "co2": "ppm",
        "temperature": "°C",
        "humidity": "%",
        "pressure": "hPa",
    }
    assert created.commands == commands
    assert not created.is_published


def test_builtin_profile_without_quantities_takes_the_decoders(operator, operator_admin):
    """A built-in decoder's quantities are used when none are typed."""
    signed_in_client(operator_admin).post(CREATE, _create_data(quantities=""))
    created = DeviceProfile.objects.get(slug="em500-co2")
    assert created.quantities == {
        "temperature": "°C",
        "humidity": "%",
        "co2": "ppm",
        "pressure": "hPa",
        "battery": "%",
    }


def test_faulty_fields_are_shown_on_their_field_and_kept(operator, operator_admin):
    """A duplicate slug, a bad quantity line and broken JSON are each reported on their field;
    what was typed is shown back; nothing is created."""
    profile(operator, slug="em500-co2")
    response = signed_in_client(operator_admin).post(
        CREATE,
        _create_data(quantities="co2 ppm\nCO2 ppm\nco2 %", commands='[{"name": "x",}]'),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ligne 3 : « co2 » figure déjà plus haut." in page
    assert "Ce n&#x27;est pas du JSON valide (ligne 1, colonne 15" in page
    assert "co2 ppm\nCO2 ppm\nco2 %" in page
    assert DeviceProfile.objects.count() == 1
    response = signed_in_client(operator_admin).post(
        CREATE,
        _create_data(
            quantities="CO2 ppm\nlevel centimètres-cubes-par-heure",
            commands='[{"name": "on", "f_port": 300}]',
        ),
    )
    page = response.content.decode()
    assert "« CO2 » n&#x27;est pas un nom de grandeur" in page
    assert "L&#x27;unité de « level » dépasse 20 caractères." in page
    assert "Commande 1 : « label » (le libellé affiché) est obligatoire." in page
    assert "Commande 1 : « f_port » doit être un entier de 1 à 223." in page
    assert "Un autre profil a déjà cet identifiant." in page
    assert DeviceProfile.objects.count() == 1


def test_edit_changes_the_profile_but_not_its_slug(operator, operator_admin):
    """Editing keeps the slug (used by CSV files and the command line)."""
    profile(operator)
    response = signed_in_client(operator_admin).post(
        _edit(), _create_data(slug="nouveau-slug", model="Elsys ERS CO2 (2024)")
    )
    edited = DeviceProfile.objects.get()
    assert response.status_code == 302
    assert (edited.slug, edited.model) == ("elsys-ers-co2", "Elsys ERS CO2 (2024)")


def test_support_sees_the_profile_read_only(operator, operator_support):
    """Operator support read the profile with its form disabled and no save button."""
    profile(operator)
    page = signed_in_client(operator_support).get(_edit()).content.decode()
    assert "cette page est en lecture seule" in page
    assert "Enregistrer le profil" not in page
    assert 'name="model"' in page and "disabled" in page


def test_publish_and_withdraw(operator, operator_admin, commune_a):
    """Withdrawing a profile keeps it for the communes that adopted it; publishing offers it
    again."""
    elsys = profile(operator)
    ProfileAdoption.objects.create(commune=commune_a, profile=elsys)
    client = signed_in_client(operator_admin)
    withdrawn = client.post(_publish(), {"publier": "0"}, follow=True).content.decode()
    assert "n&#x27;est plus proposé aux communes ; celles qui l&#x27;ont adopté le gardent" in (
        withdrawn
    )
    assert not DeviceProfile.objects.get().is_published
    assert ProfileAdoption.objects.filter(commune=commune_a, profile=elsys).exists()
    client.post(_publish(), {"publier": "1"})
    assert DeviceProfile.objects.get().is_published


def test_list_counts_adoptions_and_devices(operator, operator_admin, commune_a, commune_b):
    """Each profile shows how many communes adopted it and how many devices use it."""
    elsys = profile(operator)
    profile(operator, slug="unused", model="Modèle inutilisé")
    for commune in (commune_a, commune_b):
        ProfileAdoption.objects.create(commune=commune, profile=elsys)
    device(commune_a, elsys)
    device(commune_b, elsys, dev_eui="0000000000000002")
    response = signed_in_client(operator_admin).get(LIST)
    by_slug = {item.slug: item for item in response.context["profiles"]}
    assert (by_slug["elsys-ers-co2"].adoption_count, by_slug["elsys-ers-co2"].device_count) == (
        2,
        2,
    )
    assert (by_slug["unused"].adoption_count, by_slug["unused"].device_count) == (0, 0)
    page = response.content.decode()
    assert page.count(">Supprimer<") == 1  # only the unused one


def test_delete_is_refused_while_a_device_uses_the_profile(
    operator, operator_admin, commune_a, commune_b
):
    """A profile used by devices is kept, with the reason; an unused one is deleted with its
    adoptions."""
    elsys = profile(operator)
    device(commune_a, elsys)
    device(commune_b, elsys, dev_eui="0000000000000002")
    client = signed_in_client(operator_admin)
    refused = client.post(_delete()).content.decode()
    assert "ne peut pas être supprimé : 2 objets l&#x27;utilisent dans 2 communes" in refused
    assert DeviceProfile.objects.filter(pk=elsys.pk).exists()
    unused = profile(operator, slug="unused")
    ProfileAdoption.objects.create(commune=commune_a, profile=unused)
    assert client.get(_delete("unused")).status_code == 200
    assert client.post(_delete("unused"))["Location"] == LIST
    assert not DeviceProfile.objects.filter(slug="unused").exists()
    assert not ProfileAdoption.objects.filter(profile_id=unused.pk).exists()


def test_loading_the_builtin_profiles(operator, operator_admin, operator_support):
    """Operator admins load one published profile per built-in decoder; loading again keeps a
    withdrawn profile withdrawn; support cannot load."""
    from clocher.iot.codecs.builtin import BUILTIN_DECODERS

    load = reverse("console:iot-profiles-load")
    assert signed_in_client(operator_support).post(load).status_code == 403
    assert not DeviceProfile.objects.exists()
    client = signed_in_client(operator_admin)
    page = client.post(load, follow=True).content.decode()
    assert f"{len(BUILTIN_DECODERS)} profils de décodeurs intégrés chargés ou mis à jour." in page
    assert DeviceProfile.objects.filter(is_published=True).count() == len(BUILTIN_DECODERS)
    DeviceProfile.objects.filter(slug="elsys-ers-co2").update(is_published=False)
    client.post(load)
    assert DeviceProfile.objects.count() == len(BUILTIN_DECODERS)
    assert not DeviceProfile.objects.get(slug="elsys-ers-co2").is_published


def test_second_factor_pending_goes_to_sign_in(operator, operator_admin):
    """Operator admins without their second factor done are sent to sign in, and change
    nothing."""
    from clocher.core.testing.factories import confirmed_totp_device

    profile(operator)
    confirmed_totp_device(operator_admin)
    client = signed_in_client(operator_admin, verified=False)
    for response in (
        client.get(LIST),
        client.get(_edit()),
        client.post(CREATE, _create_data()),
        client.post(_publish(), {"publier": "0"}),
        client.post(reverse("console:iot-profiles-load")),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert DeviceProfile.objects.count() == 1
    assert DeviceProfile.objects.get().is_published


def test_commands_are_read_as_remote_control_reads_them():
    """A parameterised command (template payload, bounds) is accepted by the console; a
    template naming a parameter that does not exist is refused with its position."""
    from django.core.exceptions import ValidationError

    from clocher.iot.services.profiles import validate_commands

    dim = {
        "name": "dim",
        "label": "Varier",
        "f_port": 10,
        "payload_hex": "02{level:u8}",
        "parameters": [{"name": "level", "label": "Niveau", "min": 0, "max": 100}],
    }
    assert validate_commands([dim]) == [dim]
    broken = {**dim, "payload_hex": "02{other:u8}"}
    with pytest.raises(ValidationError) as raised:
        validate_commands([broken])
    assert "Commande 1" in raised.value.message_dict["commands"][0]
