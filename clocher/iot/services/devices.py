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

from clocher.iot.models import Device, DeviceProfile
from clocher.iot.services.ingestion import uplinks_claim
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
) -> Device:
    """Register a device of ``commune``. If it was heard before (a pending device of the
    commune), its stored uplinks are decoded into measurements now."""
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


def devices_import_csv(*, commune: Commune, file: IO[str] | IO[bytes]) -> list[Device]:
    """Register every device of a CSV file (comma or semicolon separated, UTF-8, a header line
    naming the columns ``CSV_COLUMNS``). Nothing is written unless every line is valid: the
    ValidationError lists one message per faulty line."""
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
        return [device_add(commune=commune, **values) for values in rows]
