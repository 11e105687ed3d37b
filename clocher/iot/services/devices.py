"""Registering a commune's devices, one by one or from a CSV file."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clocher.iot.models import AdoptionChannel, Device, DeviceProfile, ProfileAdoption
from clocher.iot.services.ingestion import uplinks_claim
from clocher.iot.services.profiles import profile_ensure_adopted
from clocher.tenancy.models import Commune

DEV_EUI_PATTERN = re.compile(r"^[0-9A-F]{16}$")
CSV_COLUMNS = (
    "dev_eui",
    "name",
    "profile",
    "site",
    "building",
    "latitude",
    "longitude",
    "expected_interval_minutes",
    "personal",
)
CSV_REQUIRED_COLUMNS = ("dev_eui", "profile")
TRUE_WORDS = {"1", "true", "vrai", "oui", "yes", "o", "x"}
FALSE_WORDS = {"", "0", "false", "faux", "non", "no", "n"}


def clean_dev_eui(value: str) -> str:
    """A DevEUI as 16 upper-case hexadecimal characters (separators ``-`` ``:`` and spaces are
    removed), or ValidationError."""
    cleaned = re.sub(r"[\s:-]", "", value or "").upper()
    if not DEV_EUI_PATTERN.match(cleaned):
        raise ValidationError(
            {
                "dev_eui": _(
                    "« %(value)s » n'est pas un DevEUI : 16 caractères hexadécimaux attendus "
                    "(0-9, A-F)."
                )
                % {"value": value}
            }
        )
    return cleaned


def _refuse_registered(dev_eui: str) -> None:
    if Device.objects.filter(dev_eui=dev_eui).exists():
        raise ValidationError(
            {
                "dev_eui": _(
                    "L'objet %(dev_eui)s est déjà enregistré (dans cette commune ou une autre) : "
                    "un DevEUI n'appartient qu'à une commune."
                )
                % {"dev_eui": dev_eui}
            }
        )


def profile_of_commune(commune: Commune, slug: str) -> DeviceProfile | None:
    """The profile ``slug`` published by the commune's operator, or None."""
    return DeviceProfile.objects.filter(operator_id=commune.operator_id, slug=slug).first()


def profile_is_usable(commune: Commune, profile: DeviceProfile) -> bool:
    """A device of ``commune`` may be registered with ``profile``: the commune adopted it, or
    its operator publishes it (it is then adopted with the device)."""
    if profile.operator_id != commune.operator_id:
        return False
    return (
        profile.is_published
        or ProfileAdoption.objects.for_commune(commune).filter(profile=profile).exists()
    )


@transaction.atomic
def device_add(
    *,
    commune: Commune,
    dev_eui: str,
    profile: DeviceProfile,
    name: str = "",
    site: str = "",
    building: str = "",
    asset: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    expected_interval_minutes: int = 60,
    is_personal: bool = False,
    actor: Any = None,
    adoption_channel: str = AdoptionChannel.DEVICE,
) -> Device:
    """Register a device of ``commune``. If it was heard before (a pending device of the
    commune), its stored uplinks are decoded into measurements now. A profile the commune had
    not adopted is adopted with it (recorded with ``actor`` and ``adoption_channel``)."""
    dev_eui = clean_dev_eui(dev_eui)
    if profile.operator_id != commune.operator_id:
        raise ValidationError(
            {"profile": _("Ce profil n'est pas publié par l'opérateur de la commune.")}
        )
    if expected_interval_minutes < 1:
        raise ValidationError(
            {"expected_interval_minutes": _("L'intervalle doit être d'au moins une minute.")}
        )
    _refuse_registered(dev_eui)
    profile_ensure_adopted(commune=commune, profile=profile, actor=actor, channel=adoption_channel)
    try:
        with transaction.atomic():
            device = Device.objects.create(
                commune=commune,
                dev_eui=dev_eui,
                profile=profile,
                name=(name or "").strip()[:200] or dev_eui,
                site=site.strip()[:200],
                building=building.strip()[:200],
                asset=asset.strip()[:200],
                latitude=latitude,
                longitude=longitude,
                expected_interval_minutes=expected_interval_minutes,
                is_personal=is_personal,
            )
    except IntegrityError:  # registered meanwhile
        _refuse_registered(dev_eui)
        raise
    uplinks_claim(device=device)
    return device


def _decimal(value: str, field: str, low: int, high: int) -> Decimal | None:
    value = value.strip().replace(",", ".")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(
            _("%(field)s : « %(value)s » n'est pas un nombre.") % {"field": field, "value": value}
        ) from None
    if not number.is_finite() or not low <= number <= high:
        raise ValueError(
            _("%(field)s : doit être entre %(low)s et %(high)s.")
            % {"field": field, "low": low, "high": high}
        )
    return number.quantize(Decimal("0.00001"))


def _row_values(commune: Commune, row: dict[str, str], seen: set[str]) -> dict[str, Any]:
    """The keyword arguments of ``device_add`` for one row, or ValueError / ValidationError."""
    dev_eui = clean_dev_eui(row.get("dev_eui") or "")
    if dev_eui in seen:
        raise ValueError(
            _("le DevEUI %(dev_eui)s figure deux fois dans le fichier.") % {"dev_eui": dev_eui}
        )
    _refuse_registered(dev_eui)
    slug = (row.get("profile") or "").strip()
    profile = profile_of_commune(commune, slug)
    if profile is None:
        raise ValueError(_("profil inconnu : « %(slug)s ».") % {"slug": slug})
    if not profile_is_usable(commune, profile):
        raise ValueError(
            _("le profil « %(slug)s » n'est plus proposé par l'opérateur.") % {"slug": slug}
        )
    interval_text = (row.get("expected_interval_minutes") or "").strip()
    interval = 60
    if interval_text:
        if not interval_text.isdigit() or int(interval_text) < 1:
            raise ValueError(
                _("expected_interval_minutes : un nombre entier de minutes est attendu.")
            )
        interval = int(interval_text)
    personal = (row.get("personal") or "").strip().lower()
    if personal not in TRUE_WORDS | FALSE_WORDS:
        raise ValueError(_("personal : « %(value)s » n'est ni oui ni non.") % {"value": personal})
    seen.add(dev_eui)
    return {
        "dev_eui": dev_eui,
        "profile": profile,
        "name": (row.get("name") or "").strip(),
        "site": (row.get("site") or "").strip(),
        "building": (row.get("building") or "").strip(),
        "latitude": _decimal(row.get("latitude") or "", "latitude", -90, 90),
        "longitude": _decimal(row.get("longitude") or "", "longitude", -180, 180),
        "expected_interval_minutes": interval,
        "is_personal": personal in TRUE_WORDS,
    }


def _line(number: int, message: str) -> str:
    return _("Ligne %(line)d : %(message)s") % {"line": number, "message": message}


def devices_import_csv(
    *, commune: Commune, file: IO[str] | IO[bytes], actor: Any = None
) -> list[Device]:
    """Register every device of a CSV file (comma or semicolon separated, UTF-8, a header line
    naming the columns ``CSV_COLUMNS``). Nothing is written unless every line is valid: the
    ValidationError lists one message per faulty line. Profiles the commune had not adopted are
    adopted (recorded as adopted by ``actor`` through the CSV import)."""
    content = file.read()
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(_("Le fichier n'est pas encodé en UTF-8.")) from error
    content = content.lstrip("\ufeff")
    first_line = content.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(content), delimiter=delimiter)
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [column for column in CSV_REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ValidationError(
            _("Colonnes manquantes : %(columns)s (attendues : %(expected)s).")
            % {"columns": ", ".join(missing), "expected": ", ".join(CSV_COLUMNS)}
        )
    errors: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line_number, raw in enumerate(reader, start=2):
        row = {(key or "").strip(): (value or "") for key, value in raw.items() if key}
        try:
            rows.append(_row_values(commune, row, seen))
        except ValidationError as error:
            errors += [_line(line_number, message) for message in error.messages]
        except ValueError as error:
            errors.append(_line(line_number, str(error)))
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("Le fichier ne contient aucun objet."))
    with transaction.atomic():
        return [
            device_add(commune=commune, actor=actor, adoption_channel=AdoptionChannel.CSV, **values)
            for values in rows
        ]


# --- Editing a registered device ---------------------------------------------------------------

MAX_INTERVAL_MINUTES = 7 * 24 * 60
COORDINATE_STEP = Decimal("0.00001")


def clean_coordinates(
    latitude: Decimal | None, longitude: Decimal | None
) -> tuple[Decimal | None, Decimal | None]:
    """WGS84 latitude (-90 to 90) and longitude (-180 to 180) in degrees, both or neither,
    rounded to 5 decimals (about a metre); ValidationError on the faulty field."""
    if latitude is None and longitude is None:
        return None, None
    errors: dict[str, str] = {}
    if latitude is None:
        errors["latitude"] = _("Donnez aussi la latitude, ou effacez la longitude.")
    elif not latitude.is_finite() or not Decimal(-90) <= latitude <= Decimal(90):
        errors["latitude"] = _(
            "La latitude est en degrés décimaux, entre -90 et 90 (par exemple 47.32178)."
        )
    if longitude is None:
        errors["longitude"] = _("Donnez aussi la longitude, ou effacez la latitude.")
    elif not longitude.is_finite() or not Decimal(-180) <= longitude <= Decimal(180):
        errors["longitude"] = _(
            "La longitude est en degrés décimaux, entre -180 et 180 (par exemple 5.04148)."
        )
    if errors:
        raise ValidationError(errors)
    assert latitude is not None and longitude is not None
    return latitude.quantize(COORDINATE_STEP), longitude.quantize(COORDINATE_STEP)


@transaction.atomic
def device_update(
    *,
    device: Device,
    name: str,
    profile: DeviceProfile,
    site: str = "",
    building: str = "",
    asset: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    expected_interval_minutes: int = 60,
    is_personal: bool = False,
) -> int:
    """Change what the registry says of a device of the commune. A device flagged personal
    (a household meter) is withdrawn from open data at once: returns how many of its published
    datastreams were withdrawn."""
    from clocher.iot.models import PublishedDatastream

    commune = device.commune
    errors: dict[str, Any] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Donnez un nom à l'objet.")
    elif len(name) > 200:
        errors["name"] = _("Le nom fait au plus 200 caractères.")
    if profile.pk != device.profile_id and not (
        profile.operator_id == commune.operator_id
        and ProfileAdoption.objects.for_commune(commune).filter(profile=profile).exists()
    ):
        errors["profile"] = _("Choisissez un profil adopté par la commune.")
    if not 1 <= expected_interval_minutes <= MAX_INTERVAL_MINUTES:
        errors["expected_interval_minutes"] = _(
            "L'intervalle est compris entre 1 minute et 7 jours (10 080 minutes)."
        )
    for field_name, value in (("site", site), ("building", building), ("asset", asset)):
        if len(value.strip()) > 200:
            errors[field_name] = _("Au plus 200 caractères.")
    try:
        latitude, longitude = clean_coordinates(latitude, longitude)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    device.name = name
    device.profile = profile
    device.site = site.strip()
    device.building = building.strip()
    device.asset = asset.strip()
    device.latitude = latitude
    device.longitude = longitude
    device.expected_interval_minutes = expected_interval_minutes
    device.is_personal = is_personal
    device.save(
        update_fields=[
            "name",
            "profile",
            "site",
            "building",
            "asset",
            "latitude",
            "longitude",
            "expected_interval_minutes",
            "is_personal",
        ]
    )
    withdrawn = 0
    if is_personal:
        withdrawn, _deleted = (
            PublishedDatastream.objects.for_commune(commune).filter(device=device).delete()
        )
    return withdrawn
