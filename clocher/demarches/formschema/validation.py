"""Checking a submission against its form, whatever the channel (web, counter, API).

Input values may come as strings (an HTML form) or JSON types (the API). The result holds the
cleaned values split into non-personal and personal, and one list of French messages per field
(``children.2.first_name`` for a field of the second item of a repeatable block). Values of hidden
fields are dropped; unknown names are errors, so a forged field never gets stored.

Files are uploaded (checked by content, images downscaled) and stored in the vault *before*
validation by the caller; a file field's value is then a list of
``{"file": "<vault file id>", "name": "...", "size": 123}``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from clocher.demarches.formschema.conditions import visible_fields
from clocher.demarches.formschema.schema import FieldSpec, FormSchema

PHONE_PATTERN = re.compile(r"^\+?[0-9 .()-]{6,30}$")
MAX_STRING = 100_000  # anything longer is refused before looking at it further
TRUE_WORDS = {"true", "on", "1", "yes", "oui"}
FALSE_WORDS = {"false", "off", "0", "no", "non", ""}


@dataclass
class Validated:
    values: dict[str, Any] = field(default_factory=dict)  # non-personal
    personal: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def all_values(self) -> dict[str, Any]:
        return {**self.values, **self.personal}

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


class _Invalid(Exception):
    pass


def validate_submission(
    schema: FormSchema,
    data: Any,
    *,
    only: set[str] | None = None,
    partial: bool = False,
    today: datetime.date | None = None,
) -> Validated:
    """Validate ``data`` (a dict of field name → value).

    ``only`` restricts the check to those field names (one page of a multi-page form);
    ``partial`` skips "required" (saving a draft keeps whatever is there).
    """
    result = Validated()
    if not isinstance(data, dict):
        result.add_error("__all__", _("Les données doivent être un objet (nom du champ : valeur)."))
        return result
    today = today or datetime.date.today()
    by_name = schema.by_name()
    for name in data:
        spec = by_name.get(str(name))
        if spec is None or not spec.has_value:
            result.add_error(str(name)[:80], _("Ce champ n'existe pas dans ce formulaire."))
    # Visibility is computed from the raw answers of earlier fields, cleaned lightly.
    shown = {spec.name for spec in visible_fields(schema, _lightly_cleaned(schema, data))}
    for spec in schema.input_fields():
        if only is not None and spec.name not in only:
            continue
        if spec.name not in shown:
            continue
        _validate_field(spec, data.get(spec.name), result, spec.name, partial, today, data)
    return result


def _lightly_cleaned(schema: FormSchema, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in schema.input_fields():
        value = data.get(spec.name)
        try:
            out[spec.name] = _clean(spec, value, datetime.date.today(), check_limits=False)
        except _Invalid:
            out[spec.name] = None
    return out


def _validate_field(
    spec: FieldSpec,
    raw: Any,
    result: Validated,
    key: str,
    partial: bool,
    today: datetime.date,
    context: dict[str, Any],
) -> None:
    target = result.personal if spec.personal else result.values
    if spec.type == "repeat":
        _validate_repeat(spec, raw, result, key, partial, today, context)
        return
    try:
        value = _clean(spec, raw, today, check_limits=True)
    except _Invalid as error:
        result.add_error(key, str(error))
        return
    if _is_empty(value):
        if spec.required and not partial:
            if spec.type == "checkbox":
                result.add_error(key, _("Cochez cette case pour continuer."))
            else:
                result.add_error(key, _("Ce champ est obligatoire."))
        return
    target[spec.name] = value


def _validate_repeat(
    spec: FieldSpec,
    raw: Any,
    result: Validated,
    key: str,
    partial: bool,
    today: datetime.date,
    context: dict[str, Any],
) -> None:
    from clocher.demarches.formschema.conditions import evaluate

    if raw in (None, ""):
        raw = []
    if not isinstance(raw, list):
        result.add_error(key, _("Une liste d'éléments est attendue."))
        return
    if len(raw) > spec.max_items:
        result.add_error(key, _("Au plus %(max)d éléments.") % {"max": spec.max_items})
        return
    if len(raw) < spec.min_items and not partial:
        result.add_error(key, _("Au moins %(min)d éléments.") % {"min": spec.min_items})
    items: list[dict[str, Any]] = []
    by_name = {sub.name: sub for sub in spec.fields}
    for position, item in enumerate(raw, start=1):
        where = f"{key}.{position}"
        if not isinstance(item, dict):
            result.add_error(where, _("Chaque élément doit être un objet."))
            continue
        for name in item:
            if str(name) not in by_name or not by_name[str(name)].has_value:
                result.add_error(
                    f"{where}.{str(name)[:80]}", _("Ce champ n'existe pas dans ce formulaire.")
                )
        clean_item: dict[str, Any] = {}
        scope = {**context, **item}
        for sub in spec.fields:
            if not sub.has_value or not evaluate(sub.condition, scope):
                continue
            sub_result = Validated()
            _validate_field(
                sub, item.get(sub.name), sub_result, f"{where}.{sub.name}", partial, today, scope
            )
            for error_key, messages in sub_result.errors.items():
                for message in messages:
                    result.add_error(error_key, message)
            clean_item.update(sub_result.all_values)
        if clean_item:
            items.append(clean_item)
    if items:
        (result.personal if spec.personal else result.values)[spec.name] = items


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def _string(spec: FieldSpec, raw: Any, check_limits: bool) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise _Invalid(_("Un texte est attendu."))
    text = str(raw)
    if len(text) > MAX_STRING:
        raise _Invalid(_("Ce texte est beaucoup trop long."))
    text = text.replace("\x00", "").strip()
    if check_limits and spec.max_length and len(text) > spec.max_length:
        raise _Invalid(
            _("%(count)d caractères au plus (vous en avez saisi %(length)d).")
            % {"count": spec.max_length, "length": len(text)}
        )
    return text


def _clean(spec: FieldSpec, raw: Any, today: datetime.date, *, check_limits: bool) -> Any:
    kind = spec.type
    if kind in ("text", "textarea"):
        text = _string(spec, raw, check_limits)
        if text and spec.pattern and check_limits and not re.fullmatch(spec.pattern, text):
            raise _Invalid(spec.pattern_message or _("Le format n'est pas celui attendu."))
        return text
    if kind == "email":
        text = _string(spec, raw, check_limits)
        if text and check_limits:
            try:
                validate_email(text)
            except ValidationError as error:
                raise _Invalid(
                    _("Cette adresse e-mail n'est pas valide (exemple : nom@exemple.fr).")
                ) from error
        return text
    if kind == "phone":
        text = _string(spec, raw, check_limits)
        if text and check_limits and not PHONE_PATTERN.match(text):
            raise _Invalid(_("Ce numéro de téléphone n'est pas valide (exemple : 03 80 12 34 56)."))
        return text
    if kind == "number":
        return _number(spec, raw, check_limits)
    if kind == "date":
        return _date(spec, raw, today, check_limits)
    if kind == "checkbox":
        if isinstance(raw, bool):
            return raw
        if raw is None:
            return False
        if isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS:
            return True
        if isinstance(raw, str) and raw.strip().lower() in FALSE_WORDS:
            return False
        raise _Invalid(_("Une case à cocher vaut vrai ou faux."))
    if kind == "choice":
        if raw in (None, ""):
            return None
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            raise _Invalid(_("Choisissez une des réponses proposées."))
        if str(raw) not in {choice.value for choice in spec.choices}:
            raise _Invalid(_("Choisissez une des réponses proposées."))
        return str(raw)
    if kind == "multichoice":
        if raw in (None, ""):
            return []
        items = raw if isinstance(raw, list) else [raw]
        allowed = {choice.value for choice in spec.choices}
        if any(not isinstance(item, str | int) or str(item) not in allowed for item in items):
            raise _Invalid(_("Choisissez parmi les réponses proposées."))
        return [choice.value for choice in spec.choices if choice.value in {str(i) for i in items}]
    if kind == "address":
        return _address(spec, raw, check_limits)
    if kind == "file":
        return _files(spec, raw)
    raise _Invalid(_("Type de champ inconnu."))


def _number(spec: FieldSpec, raw: Any, check_limits: bool) -> int | float | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, bool):
        raise _Invalid(_("Un nombre est attendu."))
    if isinstance(raw, int | float):
        number = float(raw)
    elif isinstance(raw, str) and len(raw) <= 40:
        try:
            number = float(raw.strip().replace(" ", "").replace("\u202f", "").replace(",", "."))
        except ValueError as error:
            raise _Invalid(_("Un nombre est attendu (exemple : 12 ou 12,5).")) from error
    else:
        raise _Invalid(_("Un nombre est attendu (exemple : 12 ou 12,5)."))
    if number != number or number in (float("inf"), float("-inf")):
        raise _Invalid(_("Un nombre est attendu (exemple : 12 ou 12,5)."))
    if spec.integer and not number.is_integer():
        raise _Invalid(_("Un nombre entier est attendu."))
    if check_limits and spec.min_value is not None and number < spec.min_value:
        raise _Invalid(_("Au moins %(min)s.") % {"min": _format_number(spec.min_value)})
    if check_limits and spec.max_value is not None and number > spec.max_value:
        raise _Invalid(_("Au plus %(max)s.") % {"max": _format_number(spec.max_value)})
    return int(number) if number.is_integer() else number


def _format_number(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value).replace(".", ",")


def _date(spec: FieldSpec, raw: Any, today: datetime.date, check_limits: bool) -> str | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or len(raw) > 20:
        raise _Invalid(_("Une date est attendue (JJ/MM/AAAA)."))
    text = raw.strip()
    parsed: datetime.date | None = None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            parsed = datetime.datetime.strptime(text, pattern).date()
            break
        except ValueError:
            continue
    if parsed is None:
        raise _Invalid(_("Cette date n'existe pas ou n'est pas au format JJ/MM/AAAA."))
    if check_limits and spec.date_range == "past" and parsed > today:
        raise _Invalid(_("La date doit être passée."))
    if check_limits and spec.date_range == "future" and parsed < today:
        raise _Invalid(_("La date doit être à venir."))
    return parsed.isoformat()


def _address(spec: FieldSpec, raw: Any, check_limits: bool) -> dict[str, Any] | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, str):
        raw = {"text": raw}
    if not isinstance(raw, dict):
        raise _Invalid(_("Une adresse est attendue."))
    unknown = set(raw) - {"text", "latitude", "longitude"}
    if unknown:
        raise _Invalid(_("Une adresse a les clés text, latitude et longitude."))
    text = _string(spec, raw.get("text"), check_limits)
    out: dict[str, Any] = {"text": text}
    latitude, longitude = raw.get("latitude"), raw.get("longitude")
    if spec.with_coordinates and latitude not in (None, "") and longitude not in (None, ""):
        try:
            lat = float(str(latitude).replace(",", "."))
            lon = float(str(longitude).replace(",", "."))
        except ValueError as error:
            raise _Invalid(_("Les coordonnées doivent être des nombres.")) from error
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _Invalid(_("Ces coordonnées ne sont pas sur la Terre."))
        out["latitude"], out["longitude"] = round(lat, 6), round(lon, 6)
    if not text and "latitude" not in out:
        return None
    return out


def _files(spec: FieldSpec, raw: Any) -> list[dict[str, Any]]:
    if raw in (None, ""):
        return []
    items = raw if isinstance(raw, list) else [raw]
    if len(items) > spec.max_files:
        raise _Invalid(_("Au plus %(max)d fichiers.") % {"max": spec.max_files})
    clean = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("file"), str):
            raise _Invalid(_("Joignez le fichier avec le formulaire."))
        clean.append(
            {
                "file": item["file"][:64],
                "name": str(item.get("name", ""))[:200],
                "size": int(item["size"]) if isinstance(item.get("size"), int) else 0,
            }
        )
    return clean
