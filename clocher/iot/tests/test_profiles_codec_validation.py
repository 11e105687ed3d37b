"""A JavaScript codec uploaded with a profile is checked in the QuickJS sandbox: it must compile
and decode the operator's test frame before it is saved; « tester le codec » shows the output."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clocher.core.testing.clients import signed_in_client
from clocher.iot.models import DeviceProfile
from clocher.iot.models.devices import CodecKind
from clocher.iot.services.profiles import codec_try
from clocher.iot.tests.factories import profile

pytestmark = pytest.mark.django_db

CREATE = reverse("console:iot-profile-create")
ELSYS_JS = (Path(__file__).parent / "fixtures" / "javascript_elsys_sloppy.js").read_text()
ELSYS_FRAME = "0100E202290400270506060308"  # the ChirpStack sample: 22.6 °C, 41 %, 776 ppm
SYNTAX_ERROR_JS = "function decodeUplink(input) {\n  return {data: {co2: }};\n}"
THROWING_JS = "function decodeUplink(input) { throw new Error('trame inconnue'); }"
LOOPING_JS = "function decodeUplink(input) { while (true) {} }"
NO_DECODER_JS = "function encodeDownlink(input) { return {bytes: []}; }"
REPORTING_JS = "function decodeUplink(input) { return {data: {}, errors: ['port inconnu']}; }"


def _data(source: str, action: str = "enregistrer", **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "slug": "elsys-js",
        "model": "Elsys ERS CO2 (codec JavaScript)",
        "codec_kind": CodecKind.JAVASCRIPT,
        "javascript_codec": source,
        "test_payload_hex": ELSYS_FRAME,
        "test_f_port": "1",
        "quantities": "temperature °C\nhumidity %\nco2 ppm",
        "commands": "[]",
        "action": action,
    }
    data.update(changes)
    return data


def test_good_codec_is_saved_with_its_test_frame(operator, operator_admin):
    """A codec that decodes the test frame is saved, with the frame it was checked against."""
    response = signed_in_client(operator_admin).post(CREATE, _data(ELSYS_JS))
    saved = DeviceProfile.objects.get(slug="elsys-js")
    assert response.status_code == 302
    assert (saved.codec_kind, saved.javascript_codec) == ("javascript", ELSYS_JS)
    assert (saved.codec_test_payload_hex, saved.codec_test_f_port) == (ELSYS_FRAME, 1)


def test_testing_shows_the_decoded_output_and_saves_nothing(operator, operator_admin):
    """« Tester » shows the decoded data and the profile's quantities found in it."""
    response = signed_in_client(operator_admin).post(CREATE, _data(ELSYS_JS, action="tester"))
    page = response.content.decode()
    assert response.status_code == 200
    trial = response.context["trial"]
    assert trial.is_decoded
    assert trial.readings == [
        ("temperature", 22.6, "°C"),
        ("humidity", 41.0, "%"),
        ("co2", 776.0, "ppm"),
    ]
    assert "La trame est décodée." in page
    assert "<li>CO₂ : 776 ppm</li>" in page
    assert "&quot;co2&quot;: 776" in page
    assert not DeviceProfile.objects.exists()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (SYNTAX_ERROR_JS, "Le codec ne se compile pas : SyntaxError"),
        (THROWING_JS, "Le codec a levé une exception : Error: trame inconnue"),
        (
            LOOPING_JS,
            "Le codec a dépassé sa limite de temps (100 ms) et a été arrêté : une boucle "
            "sans fin ?",
        ),
        (NO_DECODER_JS, "Le codec ne définit pas de fonction decodeUplink(input)."),
        (REPORTING_JS, "Le codec signale des erreurs : port inconnu"),
    ],
)
def test_faulty_codec_is_refused_with_the_reason_and_kept_in_the_form(
    source, message, operator, operator_admin
):
    """A codec that does not compile, throws, loops, lacks decodeUplink or reports errors is
    not saved; the reason is on the codec field and the source is shown back."""
    client = signed_in_client(operator_admin)
    for action in ("enregistrer", "tester"):
        response = client.post(CREATE, _data(source, action=action))
        page = response.content.decode()
        assert response.status_code == 200
        assert message.replace("'", "&#x27;") in page.replace("&quot;", '"'), action
        assert "decodeUplink" in page
    assert not DeviceProfile.objects.exists()


def test_syntax_error_names_its_line():
    """The compile error gives the line of the codec where it is."""
    trial = codec_try(
        codec_kind=CodecKind.JAVASCRIPT, payload=b"\x01", f_port=1, javascript_codec=SYNTAX_ERROR_JS
    )
    assert not trial.is_decoded
    assert trial.error.startswith("Le codec ne se compile pas : SyntaxError")
    assert "(line 2)" in trial.error


def test_javascript_codec_needs_a_test_frame(operator, operator_admin):
    """Without a valid hex frame and port, a JavaScript codec is not saved."""
    response = signed_in_client(operator_admin).post(
        CREATE, _data(ELSYS_JS, test_payload_hex="01Z", test_f_port="")
    )
    page = response.content.decode()
    assert "n&#x27;est pas une trame en hexadécimal" in page
    assert "Le port LoRaWAN (fPort) de la trame est un entier de 1 à 223." in page
    assert not DeviceProfile.objects.exists()


def test_uploaded_js_file_replaces_the_pasted_text(operator, operator_admin):
    """A .js file uploaded is the codec saved (and what is shown back if refused)."""
    client = signed_in_client(operator_admin)
    upload = SimpleUploadedFile("elsys.js", ELSYS_JS.encode(), "application/javascript")
    response = client.post(CREATE, {**_data("ignoré"), "codec_file": upload})
    assert response.status_code == 302
    assert DeviceProfile.objects.get().javascript_codec == ELSYS_JS
    upload = SimpleUploadedFile("loops.js", LOOPING_JS.encode(), "application/javascript")
    refused = client.post(CREATE, {**_data("ignoré", slug="other"), "codec_file": upload})
    page = refused.content.decode()
    assert "limite de temps" in page
    assert "while (true) {}" in page
    assert DeviceProfile.objects.count() == 1


def test_uploaded_file_that_is_not_utf8_or_too_large_is_refused(operator, operator_admin):
    """A binary or oversized file gets a clear message on the file field."""
    client = signed_in_client(operator_admin)
    binary = SimpleUploadedFile("codec.js", b"\xff\xfe\x00", "application/javascript")
    page = client.post(CREATE, {**_data(""), "codec_file": binary}).content.decode()
    assert "Le fichier n&#x27;est pas du texte encodé en UTF-8." in page
    large = SimpleUploadedFile("codec.js", b"//" + b"x" * 50_000, "application/javascript")
    page = client.post(CREATE, {**_data(""), "codec_file": large}).content.decode()
    assert "Le fichier dépasse 40 Ko." in page
    assert not DeviceProfile.objects.exists()


def test_editing_a_javascript_profile_shows_its_frame_and_checks_again(operator, operator_admin):
    """The edit form is filled with the saved codec and test frame; a broken change is refused
    and the saved codec stays."""
    saved = profile(
        operator,
        slug="elsys-js",
        codec_kind=CodecKind.JAVASCRIPT,
        builtin_codec="",
        javascript_codec=ELSYS_JS,
        codec_test_payload_hex=ELSYS_FRAME,
        codec_test_f_port=1,
    )
    url = reverse("console:iot-profile", kwargs={"profile_slug": "elsys-js"})
    client = signed_in_client(operator_admin)
    page = client.get(url).content.decode()
    assert f'value="{ELSYS_FRAME}"' in page
    response = client.post(url, _data(THROWING_JS))
    assert "trame inconnue" in response.content.decode()
    saved.refresh_from_db()
    assert saved.javascript_codec == ELSYS_JS


def test_builtin_codec_can_be_tested_too():
    """The test works with a built-in decoder: the vendor's frame gives its measurements."""
    trial = codec_try(
        codec_kind=CodecKind.BUILTIN,
        payload=bytes.fromhex(ELSYS_FRAME),
        f_port=1,
        builtin_codec="elsys-ers-co2",
    )
    assert trial.is_decoded
    assert ("co2", 776.0, "ppm") in trial.readings
