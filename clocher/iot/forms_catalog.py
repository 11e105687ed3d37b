"""Forms of the profile catalogue (operator console), of a commune's open-data publishing page,
and of a device's registry entry. They parse what was typed; the services check the rest."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clocher.core.forms import Form
from clocher.iot.codecs.builtin import BUILTIN_DECODERS
from clocher.iot.codecs.javascript import MAX_SOURCE_BYTES
from clocher.iot.models import Device, DeviceProfile
from clocher.iot.models.devices import CodecKind
from clocher.iot.models.opendata import ETALAB_LICENCE, ETALAB_LICENCE_URL
from clocher.iot.services.devices import MAX_INTERVAL_MINUTES
from clocher.iot.services.profiles import ProfileContent

ACTION_TEST = "tester"
ACTION_SAVE = "enregistrer"


def quantities_as_text(quantities: dict[str, str]) -> str:
    return "\n".join(f"{name} {unit}".rstrip() for name, unit in (quantities or {}).items())


def commands_as_text(commands: list[Any]) -> str:
    return json.dumps(commands or [], ensure_ascii=False, indent=2)


class ProfileForm(Form):
    """A device profile: model, codec, quantities with units, downlink commands, and the test
    frame a JavaScript codec must decode before it is saved."""

    slug = forms.SlugField(
        label=_("Identifiant"),
        max_length=80,
        help_text=_(
            "Utilisé par l'import CSV et la commande « clocher iot add-device » ; il ne change "
            "plus une fois le profil créé. Par exemple elsys-ers-co2."
        ),
    )
    model = forms.CharField(
        label=_("Modèle"),
        max_length=200,
        help_text=_("Fabricant et référence, par exemple « Elsys ERS CO2 »."),
    )
    codec_kind = forms.ChoiceField(
        label=_("Décodage des messages"),
        choices=CodecKind.choices,
        widget=forms.RadioSelect,
    )
    builtin_codec = forms.ChoiceField(
        label=_("Décodeur intégré"),
        required=False,
        help_text=_("Pour un décodeur intégré seulement."),
    )
    javascript_codec = forms.CharField(
        label=_("Codec JavaScript"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "code"}),
        help_text=_(
            "Convention The Things Stack / ChirpStack : une fonction decodeUplink(input) qui "
            "rend {data, warnings, errors}, et facultativement encodeDownlink. Collez-le ici ou "
            "choisissez un fichier ci-dessous."
        ),
    )
    codec_file = forms.FileField(
        label=_("Fichier du codec (.js)"),
        required=False,
        help_text=_("Remplace le texte ci-dessus. 40 Ko au plus, encodé en UTF-8."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".js,application/javascript,text/javascript"}
        ),
    )
    test_payload_hex = forms.CharField(
        label=_("Trame de test (hexadécimal)"),
        required=False,
        max_length=600,
        help_text=_(
            "Une trame réelle de l'objet, par exemple 0100E602290400270506060308070D62. "
            "Obligatoire pour un codec JavaScript : il n'est enregistré qu'après l'avoir décodée."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    test_f_port = forms.IntegerField(
        label=_("Port LoRaWAN de la trame (fPort)"),
        required=False,
        min_value=1,
        max_value=223,
    )
    quantities = forms.CharField(
        label=_("Grandeurs mesurées"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            "Une grandeur par ligne : son nom puis son unité, séparés par une espace "
            "(par exemple « co2 ppm », « temperature °C »). Vide pour un décodeur intégré : "
            "les grandeurs du décodeur."
        ),
    )
    commands = forms.CharField(
        label=_("Commandes (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "code"}),
        help_text=_(
            'Une liste, par exemple [{"name": "allumer", "label": "Allumer", "f_port": 10, '
            '"payload_hex": "01"}] ; [] si l\'objet ne reçoit pas de commande.'
        ),
    )

    def __init__(self, *args: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        builtin = self.fields["builtin_codec"]
        assert isinstance(builtin, forms.ChoiceField)
        builtin.choices = [("", "—")] + [
            (slug, f"{decoder.model} ({slug})")
            for slug, decoder in sorted(BUILTIN_DECODERS.items())
        ]
        if not creating:
            del self.fields["slug"]

    def clean_codec_file(self) -> str | None:
        upload = self.cleaned_data.get("codec_file")
        if not upload:
            return None
        if upload.size > MAX_SOURCE_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse %(size)d Ko.") % {"size": MAX_SOURCE_BYTES // 1024}
            )
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("Le fichier n'est pas du texte encodé en UTF-8.")
            ) from None

    def clean_quantities(self) -> dict[str, str]:
        quantities: dict[str, str] = {}
        problems = []
        for number, line in enumerate(str(self.cleaned_data["quantities"]).splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            name, _space, unit = line.partition(" ")
            if name in quantities:
                problems.append(
                    _("Ligne %(line)d : « %(name)s » figure déjà plus haut.")
                    % {"line": number, "name": name}
                )
            quantities[name] = unit.strip()
        if problems:
            raise forms.ValidationError(problems)
        return quantities

    def clean_commands(self) -> Any:
        text = str(self.cleaned_data["commands"]).strip() or "[]"
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("Ce n'est pas du JSON valide (ligne %(line)d, colonne %(column)d : %(error)s).")
                % {"line": error.lineno, "column": error.colno, "error": error.msg}
            ) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        source = cleaned.get("codec_file")
        if source is not None:
            # The uploaded file replaces the pasted text, and is shown back in it.
            cleaned["javascript_codec"] = source
            data = self.data.copy()  # type: ignore[attr-defined]
            data["javascript_codec"] = source
            self.data = data
        return cleaned

    def content(self) -> ProfileContent:
        data = self.cleaned_data
        return ProfileContent(
            model=data["model"],
            codec_kind=data["codec_kind"],
            builtin_codec=data.get("builtin_codec") or "",
            javascript_codec=data.get("javascript_codec") or "",
            quantities=data.get("quantities") or {},
            commands=data["commands"] if data.get("commands") is not None else [],
            test_payload_hex=data.get("test_payload_hex") or "",
            test_f_port=data.get("test_f_port"),
        )


def profile_initial(profile: DeviceProfile) -> dict[str, Any]:
    return {
        "model": profile.model,
        "codec_kind": profile.codec_kind,
        "builtin_codec": profile.builtin_codec,
        "javascript_codec": profile.javascript_codec,
        "test_payload_hex": profile.codec_test_payload_hex,
        "test_f_port": profile.codec_test_f_port,
        "quantities": quantities_as_text(profile.quantities),
        "commands": commands_as_text(profile.commands),
    }


class DatastreamPublishForm(Form):
    name = forms.CharField(
        label=_("Nom du flux publié"),
        max_length=200,
        required=False,
        help_text=_("Vide : le nom de l'objet et la grandeur."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Ce que mesure l'objet, où, et ce qu'il faut savoir pour réutiliser les données."
        ),
    )
    licence = forms.CharField(label=_("Licence"), max_length=200, initial=ETALAB_LICENCE)
    licence_url = forms.CharField(
        label=_("Adresse de la licence"),
        max_length=200,
        required=False,
        initial=ETALAB_LICENCE_URL,
        widget=forms.URLInput,
    )


class DeviceEditForm(Form):
    """What the registry says of a device: name, profile, place, reporting interval, and
    whether its data is personal (a household meter)."""

    name = forms.CharField(label=_("Nom"), max_length=200)
    profile = forms.ModelChoiceField(
        label=_("Profil d'objet"),
        queryset=DeviceProfile.objects.none(),
        empty_label=None,
        help_text=_("Les profils adoptés par la commune (page « Profils d'objets »)."),
    )
    site = forms.CharField(label=_("Site"), max_length=200, required=False)
    building = forms.CharField(label=_("Bâtiment"), max_length=200, required=False)
    asset = forms.CharField(label=_("Équipement"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude (WGS84, degrés décimaux)"),
        required=False,
        max_digits=12,
        decimal_places=8,
        help_text=_("Par exemple 47.32178 ; vide si l'objet n'a pas de position."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        localize=True,
    )
    longitude = forms.DecimalField(
        label=_("Longitude (WGS84, degrés décimaux)"),
        required=False,
        max_digits=12,
        decimal_places=8,
        help_text=_("Par exemple 5.04148 (négative à l'ouest de Greenwich)."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        localize=True,
    )
    expected_interval_minutes = forms.IntegerField(
        label=_("Intervalle d'émission attendu (minutes)"),
        min_value=1,
        max_value=MAX_INTERVAL_MINUTES,
        help_text=_("L'objet est dit silencieux après trois intervalles sans message."),
    )
    is_personal = forms.BooleanField(
        label=_("Données personnelles (compteur d'un foyer)"),
        required=False,
        help_text=_(
            "Ses mesures ne peuvent jamais être publiées en données ouvertes ; ce qui en était "
            "publié est retiré."
        ),
    )

    def __init__(self, *args: Any, device: Device, profiles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile_field = self.fields["profile"]
        assert isinstance(profile_field, forms.ModelChoiceField)
        # The device's own profile stays offered even if the commune has not adopted it.
        profile_field.queryset = (
            (profiles | DeviceProfile.objects.filter(pk=device.profile_id))
            .distinct()
            .order_by("model", "slug")
        )


def device_initial(device: Device) -> dict[str, Any]:
    return {
        "name": device.name,
        "profile": device.profile_id,
        "site": device.site,
        "building": device.building,
        "asset": device.asset,
        "latitude": device.latitude,
        "longitude": device.longitude,
        "expected_interval_minutes": device.expected_interval_minutes,
        "is_personal": device.is_personal,
    }
