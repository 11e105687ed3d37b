"""Device profiles published by the operator, and their adoption by the communes.

The operator's admins write the profiles (model, codec, measured quantities with units, downlink
commands) in the console; a JavaScript codec is saved only once it compiled in the QuickJS
sandbox and decoded a test frame given by the operator (``codec_try``). A published profile is
offered to every commune of the operator; a commune adopts the ones it uses (``profile_adopt``),
or adopts one automatically when it registers a device with it (``profile_ensure_adopted``, who
and how recorded). Withdrawing a profile from publication keeps it for the communes that adopted
it; a profile used by a device can be neither deleted nor dropped by its commune.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clocher.iot.codecs.builtin import BUILTIN_DECODERS
from clocher.iot.command_profiles import CommandDefinitionInvalid, parse_command
from clocher.iot.models import AdoptionChannel, Device, DeviceProfile, ProfileAdoption
from clocher.iot.models.devices import CodecKind
from clocher.tenancy.models import Commune, Operator

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
QUANTITY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
COMMAND_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
HEX_PATTERN = re.compile(r"^(?:[0-9a-fA-F]{2})*$")
MAX_UNIT_LENGTH = 20  # Measurement.unit
MAX_QUANTITIES = 50
MAX_COMMANDS = 50
MAX_FRAME_BYTES = 242  # the largest LoRaWAN application payload
MAX_F_PORT = 223


@transaction.atomic
def profiles_load(*, operator: Operator) -> list[DeviceProfile]:
    """One profile per built-in decoder for ``operator``, created or brought up to date.

    Running it again changes nothing; a profile's commands, set by the operator, are kept, and
    so is its publication (a new profile is published)."""
    profiles = []
    for slug, decoder in sorted(BUILTIN_DECODERS.items()):
        profile, _created = DeviceProfile.objects.update_or_create(
            operator=operator,
            slug=slug,
            defaults={
                "model": decoder.model,
                "codec_kind": CodecKind.BUILTIN,
                "builtin_codec": slug,
                "quantities": dict(decoder.quantities),
            },
        )
        profiles.append(profile)
    return profiles


# --- Validation of a profile's content ---------------------------------------------------------


def validate_quantities(quantities: Mapping[str, str]) -> dict[str, str]:
    """``{quantity: unit}`` checked: names in lower case (``co2``, ``water_level``), units of
    at most 20 characters, at least one quantity. ValidationError on ``quantities``."""
    problems = []
    if not quantities:
        problems.append(_("Indiquez au moins une grandeur mesurée."))
    if len(quantities) > MAX_QUANTITIES:
        problems.append(
            _("Un profil mesure au plus %(count)d grandeurs.") % {"count": MAX_QUANTITIES}
        )
    cleaned: dict[str, str] = {}
    for name, unit in quantities.items():
        unit = str(unit or "").strip()
        if not QUANTITY_PATTERN.match(str(name)):
            problems.append(
                _(
                    "« %(name)s » n'est pas un nom de grandeur : lettres minuscules sans accent, "
                    "chiffres et _, en commençant par une lettre (par exemple co2, "
                    "niveau_eau)."
                )
                % {"name": name}
            )
        elif len(unit) > MAX_UNIT_LENGTH:
            problems.append(
                _("L'unité de « %(name)s » dépasse %(length)d caractères.")
                % {"name": name, "length": MAX_UNIT_LENGTH}
            )
        cleaned[str(name)] = unit
    if problems:
        raise ValidationError({"quantities": problems})
    return cleaned


def validate_commands(commands: Any) -> list[dict[str, Any]]:
    """The downlink commands: a list of objects, each with a unique ``name`` and a ``label``;
    ``f_port`` (1 to 223) and ``payload_hex`` (bytes in hexadecimal) checked when present.
    Other keys are kept as they are. ValidationError on ``commands``."""
    if not isinstance(commands, list):
        raise ValidationError(
            {"commands": _("Les commandes sont une liste JSON : [ {…}, {…} ] (ou [] pour aucune).")}
        )
    if len(commands) > MAX_COMMANDS:
        raise ValidationError(
            {"commands": _("Un profil a au plus %(count)d commandes.") % {"count": MAX_COMMANDS}}
        )
    problems: list[str] = []
    seen: set[str] = set()
    for position, command in enumerate(commands, start=1):
        where = _("Commande %(position)d") % {"position": position}
        if not isinstance(command, dict):
            problems.append(_("%(where)s : un objet JSON { … } est attendu.") % {"where": where})
            continue
        name = command.get("name")
        if not isinstance(name, str) or not COMMAND_NAME_PATTERN.match(name):
            problems.append(
                _(
                    "%(where)s : « name » est obligatoire, en minuscules sans espace "
                    "(par exemple allumer, consigne_19)."
                )
                % {"where": where}
            )
        elif name in seen:
            problems.append(
                _("%(where)s : le nom « %(name)s » est déjà celui d'une autre commande.")
                % {"where": where, "name": name}
            )
        else:
            seen.add(name)
        label = command.get("label")
        if not isinstance(label, str) or not label.strip():
            problems.append(
                _("%(where)s : « label » (le libellé affiché) est obligatoire.") % {"where": where}
            )
        if "f_port" in command:
            f_port = command["f_port"]
            if type(f_port) is not int or not 1 <= f_port <= MAX_F_PORT:
                problems.append(
                    _("%(where)s : « f_port » doit être un entier de 1 à 223.") % {"where": where}
                )
        if not problems:
            # The payload (fixed bytes, a template such as 02{level:u8}, the codec's
            # encodeDownlink), the parameters and their bounds: as remote control reads them.
            try:
                parse_command(command, where=f"commands[{position - 1}]")
            except CommandDefinitionInvalid as error:
                problems.append(_("%(where)s : %(error)s") % {"where": where, "error": error})
    if problems:
        raise ValidationError({"commands": problems})
    return commands


def parse_hex_frame(text: str) -> bytes:
    """The bytes of a frame typed in hexadecimal (spaces, ``:`` and ``-`` allowed), or
    ValidationError on ``test_payload_hex``."""
    cleaned = re.sub(r"[\s:-]", "", text or "")
    if cleaned.lower().startswith("0x"):
        cleaned = cleaned[2:]
    if not cleaned:
        raise ValidationError(
            {"test_payload_hex": _("Donnez une trame de test en hexadécimal, par exemple 0100E6.")}
        )
    if not HEX_PATTERN.match(cleaned):
        raise ValidationError(
            {
                "test_payload_hex": _(
                    "« %(value)s » n'est pas une trame en hexadécimal : des paires de "
                    "caractères 0-9 et A-F (par exemple 0100E6)."
                )
                % {"value": text}
            }
        )
    frame = bytes.fromhex(cleaned)
    if len(frame) > MAX_FRAME_BYTES:
        raise ValidationError(
            {
                "test_payload_hex": _("Une trame LoRaWAN fait au plus %(count)d octets.")
                % {"count": MAX_FRAME_BYTES}
            }
        )
    return frame


def _validate_f_port(f_port: int | None) -> int:
    if f_port is None or not 1 <= f_port <= MAX_F_PORT:
        raise ValidationError(
            {"test_f_port": _("Le port LoRaWAN (fPort) de la trame est un entier de 1 à 223.")}
        )
    return f_port


def check_test_frame(payload_hex: str, f_port: int | None) -> tuple[bytes, int]:
    """The test frame and its port, or one ValidationError naming both faulty fields."""
    errors: dict[str, list[str]] = {}
    frame, port = b"", 0
    try:
        frame = parse_hex_frame(payload_hex)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        port = _validate_f_port(f_port)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return frame, port


# --- Trying a codec on a frame -----------------------------------------------------------------


@dataclass(frozen=True)
class CodecTrial:
    """What a codec made of a test frame: its data and warnings, or the reason it failed."""

    data: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    # (quantity, value, unit) of the profile's quantities found as numbers in ``data``.
    readings: list[tuple[str, float, str]] = field(default_factory=list)

    @property
    def is_decoded(self) -> bool:
        return not self.error

    @property
    def data_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=2, sort_keys=True)


def _readings(
    data: Mapping[str, Any], quantities: Mapping[str, str]
) -> list[tuple[str, float, str]]:
    found = []
    for name, unit in quantities.items():
        value = data.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            found.append((name, float(value), unit))
    return found


def _javascript_error(error: Exception) -> str:
    from clocher.iot.codecs import javascript

    message = str(error)
    if isinstance(error, javascript.CodecTimeout):
        return _(
            "Le codec a dépassé sa limite de temps (%(limit)d ms) et a été arrêté : une boucle "
            "sans fin ?"
        ) % {"limit": _time_limit_ms()}
    if isinstance(error, javascript.CodecMemoryExceeded):
        return _("Le codec a dépassé sa limite de mémoire et a été arrêté.")
    if isinstance(error, javascript.CodecReportedErrors):
        return _("Le codec signale des erreurs : %(errors)s") % {"errors": "; ".join(error.errors)}
    if isinstance(error, javascript.CodecSourceInvalid):
        if message.startswith("SyntaxError"):
            return _("Le codec ne se compile pas : %(error)s") % {"error": message}
        if "does not define a function" in message:
            return _("Le codec ne définit pas de fonction decodeUplink(input).")
        return _("Le codec dépasse %(size)d Ko.") % {"size": javascript.MAX_SOURCE_BYTES // 1024}
    if isinstance(error, javascript.CodecOutputInvalid):
        return _("Le codec a rendu un résultat inutilisable : %(error)s") % {"error": message}
    return _("Le codec a levé une exception : %(error)s") % {"error": message}


def _time_limit_ms() -> int:
    from clocher.iot.services.ingestion import JAVASCRIPT_TIME_LIMIT_MS

    return JAVASCRIPT_TIME_LIMIT_MS


def codec_try(
    *,
    codec_kind: str,
    payload: bytes,
    f_port: int,
    builtin_codec: str = "",
    javascript_codec: str = "",
    quantities: Mapping[str, str] | None = None,
) -> CodecTrial:
    """Decode ``payload`` with a codec as ingestion would (same sandbox, same time limit):
    never raises for what the codec does, the failure is in ``CodecTrial.error``."""
    quantities = quantities or {}
    if codec_kind == CodecKind.BUILTIN:
        decoder = BUILTIN_DECODERS.get(builtin_codec)
        if decoder is None:
            return CodecTrial(error=_("Choisissez un décodeur intégré."))
        result = decoder.decode(payload, f_port)
        if result.errors:
            return CodecTrial(
                data=result.data or None,
                warnings=list(result.warnings),
                error=_("Le décodeur signale des erreurs : %(errors)s")
                % {"errors": "; ".join(map(str, result.errors))},
            )
        readings = [
            (name, float(value), unit) for name, value, unit in decoder.measurements(result)
        ]
        return CodecTrial(data=result.data, warnings=list(result.warnings), readings=readings)
    if codec_kind == CodecKind.JAVASCRIPT:
        from clocher.iot.codecs.javascript import JavaScriptCodec, JavaScriptCodecError

        if not javascript_codec.strip():
            return CodecTrial(error=_("Collez le codec JavaScript ou choisissez un fichier .js."))
        try:
            codec = JavaScriptCodec(javascript_codec, time_limit_ms=_time_limit_ms())
            decoded = codec.decode_uplink(payload, f_port)
        except JavaScriptCodecError as error:
            return CodecTrial(error=_javascript_error(error))
        return CodecTrial(
            data=decoded["data"],
            warnings=decoded["warnings"],
            readings=_readings(decoded["data"], quantities),
        )
    return CodecTrial(
        error=_(
            "Ce profil est décodé par le serveur de réseau : Clocher n'a pas de codec à tester."
        )
    )


# --- Writing profiles (operator console) -------------------------------------------------------


@dataclass
class ProfileContent:
    """What the operator writes about a profile (the slug is set once, at creation)."""

    model: str
    codec_kind: str
    builtin_codec: str = ""
    javascript_codec: str = ""
    quantities: dict[str, str] = field(default_factory=dict)
    commands: list[dict[str, Any]] = field(default_factory=list)
    test_payload_hex: str = ""
    test_f_port: int | None = None


def _checked(content: ProfileContent) -> dict[str, Any]:
    """The model fields of ``content``, or one ValidationError with every problem by field."""
    errors: dict[str, list[str]] = {}

    def collect(error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)

    model = content.model.strip()
    if not model:
        errors["model"] = [_("Indiquez le modèle de l'objet (fabricant et référence).")]
    elif len(model) > 200:
        errors["model"] = [_("Le modèle fait au plus 200 caractères.")]
    quantities = dict(content.quantities)
    builtin_codec = ""
    javascript_codec = ""
    payload_hex, f_port = "", None
    if content.codec_kind == CodecKind.BUILTIN:
        decoder = BUILTIN_DECODERS.get(content.builtin_codec)
        if decoder is None:
            errors["builtin_codec"] = [_("Choisissez un décodeur intégré de la liste.")]
        else:
            builtin_codec = content.builtin_codec
            quantities = quantities or dict(decoder.quantities)
    elif content.codec_kind == CodecKind.JAVASCRIPT:
        javascript_codec = content.javascript_codec.replace("\r\n", "\n")
        if not javascript_codec.strip():
            errors["javascript_codec"] = [
                _("Collez le codec JavaScript ou choisissez un fichier .js.")
            ]
    elif content.codec_kind != CodecKind.NETWORK:
        errors["codec_kind"] = [_("Choisissez le type de codec.")]
    try:
        quantities = validate_quantities(quantities)
    except ValidationError as error:
        collect(error)
    try:
        commands = validate_commands(content.commands)
    except ValidationError as error:
        collect(error)
        commands = []
    if content.codec_kind == CodecKind.JAVASCRIPT:
        # A JavaScript codec is saved only once it decoded the operator's test frame.
        frame = None
        try:
            frame, f_port = check_test_frame(content.test_payload_hex, content.test_f_port)
        except ValidationError as error:
            collect(error)
        if frame is not None and f_port is not None and javascript_codec.strip():
            trial = codec_try(
                codec_kind=CodecKind.JAVASCRIPT,
                payload=frame,
                f_port=f_port,
                javascript_codec=javascript_codec,
                quantities=quantities,
            )
            if not trial.is_decoded:
                errors.setdefault("javascript_codec", []).append(trial.error)
            payload_hex = frame.hex().upper()
    if errors:
        raise ValidationError(errors)
    return {
        "model": model,
        "codec_kind": content.codec_kind,
        "builtin_codec": builtin_codec,
        "javascript_codec": javascript_codec,
        "quantities": quantities,
        "commands": commands,
        "codec_test_payload_hex": payload_hex,
        "codec_test_f_port": f_port,
    }


@transaction.atomic
def profile_create(
    *, operator: Operator, slug: str, content: ProfileContent, is_published: bool = False
) -> DeviceProfile:
    """A new profile of ``operator`` (not offered to the communes until published)."""
    slug = (slug or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if not SLUG_PATTERN.match(slug):
        errors["slug"] = [
            _(
                "L'identifiant est fait de lettres minuscules sans accent, de chiffres et de "
                "tirets (par exemple elsys-ers-co2)."
            )
        ]
    elif DeviceProfile.objects.filter(operator=operator, slug=slug).exists():
        errors["slug"] = [_("Un autre profil a déjà cet identifiant.")]
    try:
        fields = _checked(content)
    except ValidationError as error:
        raise ValidationError({**errors, **error.message_dict}) from error
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return DeviceProfile.objects.create(
                operator=operator, slug=slug, is_published=is_published, **fields
            )
    except IntegrityError:  # created meanwhile
        raise ValidationError({"slug": [_("Un autre profil a déjà cet identifiant.")]}) from None


@transaction.atomic
def profile_update(*, profile: DeviceProfile, content: ProfileContent) -> DeviceProfile:
    """Change what a profile says; communes that adopted it see the change at once."""
    fields = _checked(content)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save(update_fields=list(fields))
    return profile


@transaction.atomic
def profile_set_published(*, profile: DeviceProfile, is_published: bool) -> DeviceProfile:
    """Offer the profile to the communes, or withdraw it: communes that adopted it keep it."""
    profile.is_published = is_published
    profile.save(update_fields=["is_published"])
    return profile


def _devices_using(profile: DeviceProfile) -> tuple[int, int]:
    devices = Device.objects.filter(profile=profile)
    return devices.count(), devices.values("commune_id").distinct().count()


@transaction.atomic
def profile_delete(*, profile: DeviceProfile) -> None:
    """Delete a profile no device uses (the communes' adoptions of it go with it)."""
    devices, communes = _devices_using(profile)
    if devices:
        raise ValidationError(
            _(
                "Le profil « %(model)s » ne peut pas être supprimé : %(devices)s. Retirez-le "
                "plutôt de la publication : les communes qui l'utilisent le gardent."
            )
            % {
                "model": profile.model,
                "devices": ngettext(
                    "%(count)d objet l'utilise", "%(count)d objets l'utilisent", devices
                )
                % {"count": devices}
                + " "
                + ngettext("dans %(count)d commune", "dans %(count)d communes", communes)
                % {"count": communes},
            }
        )
    try:
        with transaction.atomic():
            profile.delete()
    except ProtectedError as error:  # something else of a commune refers to it
        raise ValidationError(
            _("Le profil « %(model)s » est encore utilisé et ne peut pas être supprimé.")
            % {"model": profile.model}
        ) from error


# --- Adoption by a commune ---------------------------------------------------------------------


def _refuse_other_operator(commune: Commune, profile: DeviceProfile) -> None:
    if profile.operator_id != commune.operator_id:
        raise ValidationError(
            {"profile": _("Ce profil n'est pas publié par l'opérateur de la commune.")}
        )


@transaction.atomic
def profile_adopt(
    *,
    commune: Commune,
    profile: DeviceProfile,
    actor: Any = None,
    channel: str = AdoptionChannel.PAGE,
) -> ProfileAdoption:
    """The commune adopts a profile its operator publishes (adopting it again changes nothing)."""
    _refuse_other_operator(commune, profile)
    existing = (
        ProfileAdoption.objects.for_commune(commune)
        .select_for_update(of=("self",))
        .filter(profile=profile)
        .first()
    )
    if existing is not None:
        return existing
    if not profile.is_published:
        raise ValidationError(
            {
                "profile": _(
                    "Le profil « %(model)s » n'est plus proposé par l'opérateur : il ne peut "
                    "pas être adopté."
                )
                % {"model": profile.model}
            }
        )
    try:
        with transaction.atomic():
            return ProfileAdoption.objects.create(
                commune=commune,
                profile=profile,
                adopted_by=actor if getattr(actor, "is_authenticated", False) else None,
                channel=channel,
            )
    except IntegrityError:  # adopted meanwhile
        return ProfileAdoption.objects.for_commune(commune).get(profile=profile)


def profile_ensure_adopted(
    *,
    commune: Commune,
    profile: DeviceProfile,
    actor: Any = None,
    channel: str = AdoptionChannel.DEVICE,
) -> ProfileAdoption:
    """The commune's adoption of ``profile``, made now (and recorded with who and how) when a
    device is registered with a profile the commune had not adopted."""
    return profile_adopt(commune=commune, profile=profile, actor=actor, channel=channel)


@transaction.atomic
def profile_adoption_stop(*, adoption: ProfileAdoption) -> None:
    """The commune stops using a profile: refused while one of its devices uses it."""
    locked = (
        ProfileAdoption.objects.for_commune(adoption.commune)
        .select_for_update(of=("self",))
        .select_related("profile")
        .get(pk=adoption.pk)
    )
    in_use = Device.objects.for_commune(locked.commune).filter(profile_id=locked.profile_id).count()
    if in_use:
        raise ValidationError(
            ngettext(
                "Le profil « %(model)s » est utilisé par %(count)d objet de la commune : "
                "changez le profil de cet objet ou supprimez-le avant de ne plus l'utiliser.",
                "Le profil « %(model)s » est utilisé par %(count)d objets de la commune : "
                "changez le profil de ces objets ou supprimez-les avant de ne plus l'utiliser.",
                in_use,
            )
            % {"model": locked.profile.model, "count": in_use}
        )
    locked.delete()
