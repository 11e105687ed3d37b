"""Parsing and checking a form's JSON into typed specs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

# Types that carry a value, and layout types that do not.
INPUT_TYPES = (
    "text",
    "textarea",
    "number",
    "date",
    "email",
    "phone",
    "choice",
    "multichoice",
    "checkbox",
    "address",
    "file",
    "repeat",
)
LAYOUT_TYPES = ("section", "help", "page")
FIELD_TYPES = INPUT_TYPES + LAYOUT_TYPES

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
CONDITION_OPERATORS = (
    "equals",
    "not_equals",
    "in",
    "contains",
    "checked",
    "not_checked",
    "filled",
    "empty",
    "gt",
    "lt",
)
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 5000, "email": 254, "phone": 30, "address": 500}
MAX_REPEAT_ITEMS = 50
MAX_FIELDS = 300


class SchemaError(ValueError):
    """The form is not valid; ``errors`` lists each problem in French, naming the field."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    label: str
    required: bool = False
    personal: bool = False
    help: str = ""
    choices: tuple[Choice, ...] = ()
    condition: dict[str, Any] | None = None
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    integer: bool = False
    pattern: str = ""
    pattern_message: str = ""
    date_range: str = ""  # "", "past" or "future"
    with_coordinates: bool = False  # address: also ask for latitude / longitude
    file_kinds: tuple[str, ...] = ("image", "pdf")
    max_files: int = 5
    fields: tuple[FieldSpec, ...] = ()  # repeat: the fields of one item
    min_items: int = 0
    max_items: int = 10

    @property
    def has_value(self) -> bool:
        return self.type in INPUT_TYPES

    def choice_label(self, value: str) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return value

    def as_json(self) -> dict[str, Any]:
        """The field as the public API shows it."""
        out: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "required": self.required,
            "personal": self.personal,
        }
        if self.choices:
            out["choices"] = [{"value": c.value, "label": c.label} for c in self.choices]
        if self.fields:
            out["fields"] = [sub.as_json() for sub in self.fields]
        return out


@dataclass(frozen=True)
class FormSchema:
    fields: tuple[FieldSpec, ...]
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    def input_fields(self) -> list[FieldSpec]:
        return [spec for spec in self.fields if spec.has_value]

    def by_name(self) -> dict[str, FieldSpec]:
        return {spec.name: spec for spec in self.fields}

    def pages(self) -> list[list[FieldSpec]]:
        """The fields split at each page break (the page spec opens its page)."""
        pages: list[list[FieldSpec]] = [[]]
        for spec in self.fields:
            if spec.type == "page" and pages[-1]:
                pages.append([])
            pages[-1].append(spec)
        return pages

    def personal_names(self) -> set[str]:
        return {spec.name for spec in self.fields if spec.has_value and spec.personal}


def parse_schema(raw: Any) -> FormSchema:
    """Parse and check a form; raise :class:`SchemaError` listing every problem."""
    errors: list[str] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("fields"), list):
        raise SchemaError([_("Le formulaire doit être un objet avec une liste « fields ».")])
    if len(raw["fields"]) > MAX_FIELDS:
        raise SchemaError([_("Un formulaire compte au plus %(max)d champs.") % {"max": MAX_FIELDS}])
    specs = _parse_fields(raw["fields"], errors, inside_repeat=False)
    names: set[str] = set()
    for spec in specs:
        if spec.name in names:
            errors.append(_("Le nom « %(name)s » est utilisé deux fois.") % {"name": spec.name})
        names.add(spec.name)
    known = {spec.name: spec for spec in specs if spec.has_value}
    for position, spec in enumerate(specs):
        if spec.condition is not None:
            before = {s.name: s for s in specs[:position] if s.has_value}
            _check_condition(spec.condition, before, known, spec, errors)
        for sub in spec.fields:
            if sub.condition is not None:
                scope = {**{s.name: s for s in specs[:position] if s.has_value}}
                scope.update({s.name: s for s in spec.fields if s.has_value})
                _check_condition(sub.condition, scope, known, sub, errors)
    if errors:
        raise SchemaError(errors)
    return FormSchema(fields=tuple(specs), raw=raw)


def _parse_fields(items: list[Any], errors: list[str], *, inside_repeat: bool) -> list[FieldSpec]:
    specs = []
    for index, item in enumerate(items, start=1):
        spec = _parse_field(item, index, errors, inside_repeat=inside_repeat)
        if spec is not None:
            specs.append(spec)
    return specs


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key, "")
    return value if isinstance(value, str) else ""


def _parse_field(
    item: Any, index: int, errors: list[str], *, inside_repeat: bool
) -> FieldSpec | None:
    if not isinstance(item, dict):
        errors.append(_("Champ n° %(index)d : ce n'est pas un objet.") % {"index": index})
        return None
    name = _text(item, "name")
    where = (
        _("Champ « %(name)s »") % {"name": name}
        if name
        else _("Champ n° %(index)d") % {"index": index}
    )
    kind = item.get("type")
    if kind not in FIELD_TYPES:
        errors.append(_("%(where)s : type inconnu « %(type)s ».") % {"where": where, "type": kind})
        return None
    if not NAME_PATTERN.match(name):
        errors.append(
            _(
                "%(where)s : le nom doit commencer par une lettre minuscule et ne contenir que "
                "des lettres minuscules sans accent, des chiffres et « _ »."
            )
            % {"where": where}
        )
        return None
    label = _text(item, "label").strip()
    if not label and kind != "help":
        errors.append(_("%(where)s : le libellé est vide.") % {"where": where})
    if inside_repeat and kind in ("repeat", "page", "section"):
        errors.append(
            _("%(where)s : un bloc répétable ne peut pas contenir de %(type)s.")
            % {"where": where, "type": kind}
        )
        return None
    choices: list[Choice] = []
    if kind in ("choice", "multichoice"):
        raw_choices = item.get("choices")
        if not isinstance(raw_choices, list) or not raw_choices:
            errors.append(_("%(where)s : il faut au moins un choix.") % {"where": where})
        else:
            seen: set[str] = set()
            for raw_choice in raw_choices:
                if isinstance(raw_choice, str):
                    raw_choice = {"value": raw_choice, "label": raw_choice}
                value = str(raw_choice.get("value", "")) if isinstance(raw_choice, dict) else ""
                choice_label = (
                    str(raw_choice.get("label", value)) if isinstance(raw_choice, dict) else ""
                )
                if not value or value in seen:
                    errors.append(
                        _("%(where)s : chaque choix doit avoir une valeur unique non vide.")
                        % {"where": where}
                    )
                    continue
                seen.add(value)
                choices.append(Choice(value=value, label=choice_label or value))
    condition = item.get("condition")
    if condition is not None and not isinstance(condition, dict):
        errors.append(_("%(where)s : la condition doit être un objet.") % {"where": where})
        condition = None
    sub_fields: list[FieldSpec] = []
    if kind == "repeat":
        raw_sub = item.get("fields")
        if not isinstance(raw_sub, list) or not raw_sub:
            errors.append(_("%(where)s : le bloc répétable est vide.") % {"where": where})
        else:
            sub_fields = _parse_fields(raw_sub, errors, inside_repeat=True)
    pattern = _text(item, "pattern")
    if pattern:
        try:
            re.compile(pattern)
        except re.error:
            errors.append(_("%(where)s : le motif de validation est invalide.") % {"where": where})
            pattern = ""
    date_range = _text(item, "date_range")
    if date_range not in ("", "past", "future"):
        errors.append(_("%(where)s : « date_range » vaut past ou future.") % {"where": where})
        date_range = ""
    file_kinds = item.get("file_kinds") or ["image", "pdf"]
    if not isinstance(file_kinds, list) or not set(file_kinds) <= {"image", "pdf"}:
        errors.append(_("%(where)s : types de fichiers acceptés : image, pdf.") % {"where": where})
        file_kinds = ["image", "pdf"]

    def number(key: str) -> float | None:
        value = item.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors.append(
                _("%(where)s : « %(key)s » doit être un nombre.") % {"where": where, "key": key}
            )
            return None
        return float(value)

    def count(key: str, default: int, ceiling: int) -> int:
        value = item.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= ceiling:
            errors.append(
                _("%(where)s : « %(key)s » doit être un entier entre 0 et %(max)d.")
                % {"where": where, "key": key, "max": ceiling}
            )
            return default
        return value

    max_length = item.get("max_length")
    if max_length is not None and (
        isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1
    ):
        errors.append(
            _("%(where)s : « max_length » doit être un entier positif.") % {"where": where}
        )
        max_length = None
    return FieldSpec(
        name=name,
        type=kind,
        label=label,
        required=bool(item.get("required", False)) and kind in INPUT_TYPES,
        personal=bool(item.get("personal", False)) and kind in INPUT_TYPES,
        help=_text(item, "help"),
        choices=tuple(choices),
        condition=condition,
        max_length=max_length or DEFAULT_MAX_LENGTH.get(kind),
        min_value=number("min"),
        max_value=number("max"),
        integer=bool(item.get("integer", False)),
        pattern=pattern,
        pattern_message=_text(item, "pattern_message"),
        date_range=date_range,
        with_coordinates=bool(item.get("with_coordinates", False)),
        file_kinds=tuple(file_kinds),
        max_files=count("max_files", 5, 20),
        fields=tuple(sub_fields),
        min_items=count("min_items", 0, MAX_REPEAT_ITEMS),
        max_items=count("max_items", 10, MAX_REPEAT_ITEMS),
    )


def _check_condition(
    condition: Any,
    before: dict[str, FieldSpec],
    known: dict[str, FieldSpec],
    owner: FieldSpec,
    errors: list[str],
) -> None:
    where = _("Condition de « %(name)s »") % {"name": owner.name}
    if not isinstance(condition, dict):
        errors.append(_("%(where)s : chaque élément doit être un objet.") % {"where": where})
        return
    for group in ("all", "any"):
        if group in condition:
            parts = condition[group]
            if not isinstance(parts, list) or not parts:
                errors.append(
                    _("%(where)s : « %(group)s » doit être une liste non vide.")
                    % {"where": where, "group": group}
                )
                return
            for part in parts:
                _check_condition(part, before, known, owner, errors)
            return
    name = condition.get("field")
    operator = condition.get("op")
    if operator not in CONDITION_OPERATORS:
        errors.append(
            _("%(where)s : opérateur inconnu « %(op)s ».") % {"where": where, "op": operator}
        )
        return
    if name not in before:
        if name in known:
            errors.append(
                _("%(where)s : elle dépend de « %(field)s », qui vient après dans le formulaire.")
                % {"where": where, "field": name}
            )
        else:
            errors.append(
                _("%(where)s : le champ « %(field)s » n'existe pas.")
                % {"where": where, "field": name}
            )
        return
    target = before[name]
    if operator in ("equals", "not_equals", "in", "contains") and target.choices:
        values = condition.get("value")
        values = values if isinstance(values, list) else [values]
        allowed = {choice.value for choice in target.choices}
        for value in values:
            if str(value) not in allowed:
                errors.append(
                    _("%(where)s : « %(value)s » n'est pas un choix de « %(field)s ».")
                    % {"where": where, "value": value, "field": name}
                )


_published_cache: dict[tuple[int, Any], FormSchema] = {}
_PUBLISHED_CACHE_SIZE = 512


def published_form_schema(form_version: Any) -> FormSchema:
    """The parsed schema of a *published* form version, parsed once per process.

    A published version is never edited again (a change makes a new version), so its parse can
    be kept; drafts are parsed every time. Raises :class:`SchemaError` like ``parse_schema``.
    """
    if form_version.published_at is None or form_version.pk is None:
        return parse_schema(form_version.schema)
    # The publication instant is part of the key: a row id reused by another database (tests,
    # a restored backup) is not taken for the same version.
    key = (form_version.pk, form_version.published_at)
    cached = _published_cache.get(key)
    if cached is None:
        cached = parse_schema(form_version.schema)
        if len(_published_cache) >= _PUBLISHED_CACHE_SIZE:
            _published_cache.clear()
        _published_cache[key] = cached
    return cached
