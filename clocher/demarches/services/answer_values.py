"""A request's answers for machine-readable exports: field name, label, raw value and text.

The pages and PDFs show answers through ``clocher.demarches.answers`` (labels only, visible
fields, file links). Exports — the citizen's own JSON and the agents' CSV / ODS / JSON — also need
each field's *name* and raw value next to its text, so that a choice reads "Éclairage" while its
code "lighting" stays available to a program, and values of fields that are no longer in the form
are not lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from clocher.demarches.formschema import FieldSpec, FormSchema, SchemaError, parse_schema
from clocher.demarches.formschema.file_references import file_ids, with_file_names
from clocher.demarches.selectors import vault_file_names


@dataclass(frozen=True)
class Answer:
    name: str
    label: str
    type: str
    personal: bool
    value: Any
    text: str
    # Repeatable block: the answers of each item.
    items: list[list[Answer]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "personal": self.personal,
            "value": self.value,
            "text": self.text,
        }
        if self.type == "repeat":
            out["items"] = [[answer.as_json() for answer in item] for item in self.items]
        return out


def schema_of(form_schema: Any) -> FormSchema:
    """The parsed form, or an empty one if it cannot be parsed (answers then stay raw)."""
    try:
        return parse_schema(form_schema)
    except SchemaError:
        return FormSchema(fields=())


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def value_text(spec: FieldSpec, value: Any) -> str:
    """One answer in words (files by their names, a repeat block counted)."""
    if value in (None, "", []):
        return ""
    kind = spec.type
    if kind == "choice":
        return spec.choice_label(str(value))
    if kind == "multichoice" and isinstance(value, list):
        return ", ".join(spec.choice_label(str(item)) for item in value)
    if kind == "checkbox":
        return _("Oui") if value is True else _("Non")
    if kind == "number" and isinstance(value, int | float):
        return _number(value)
    if kind == "date" and isinstance(value, str) and len(value) == 10:
        year, month, day = value.split("-")
        return f"{day}/{month}/{year}"
    if kind == "address" and isinstance(value, dict):
        text = str(value.get("text", ""))
        if value.get("latitude") is not None and value.get("longitude") is not None:
            text += f" ({value['latitude']}, {value['longitude']})"
        return text
    if kind == "file" and isinstance(value, list):
        return ", ".join(str(item.get("name", "")) for item in value if isinstance(item, dict))
    if kind == "repeat" and isinstance(value, list):
        return _("%(count)d élément(s)") % {"count": len(value)}
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _answers(
    fields: tuple[FieldSpec, ...] | list[FieldSpec], values: dict[str, Any]
) -> list[Answer]:
    found = []
    for spec in fields:
        if not spec.has_value or spec.name not in values:
            continue
        value = values[spec.name]
        items: list[list[Answer]] = []
        if spec.type == "repeat" and isinstance(value, list):
            items = [_answers(spec.fields, item) for item in value if isinstance(item, dict)]
        found.append(
            Answer(
                name=spec.name,
                label=spec.label,
                type=spec.type,
                personal=spec.personal,
                value=value,
                text=value_text(spec, value),
                items=items,
            )
        )
    return found


def answers_from(
    schema: FormSchema, values: dict[str, Any], personal: dict[str, Any] | None = None
) -> list[Answer]:
    """The answers in the order of the form; values of fields no longer in it come last, raw."""
    merged = {**values, **(personal or {})}
    found = _answers(schema.fields, merged)
    known = {answer.name for answer in found}
    for name, value in merged.items():
        if name not in known:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            found.append(
                Answer(
                    name=name,
                    label=name,
                    type="unknown",
                    personal=name in (personal or {}),
                    value=value,
                    text=text,
                )
            )
    return found


def request_answers(request: Any, *, with_personal: bool = True) -> list[Answer]:
    """Every answer of ``request`` with its label (personal values decrypted if asked), files
    named from the vault (one query)."""
    schema = schema_of(request.form_version.schema)
    personal = request.personal() if with_personal else {}
    values = request.values or {}
    names = vault_file_names(request.commune, file_ids(schema.fields, values))
    return answers_from(
        schema,
        with_file_names(schema.fields, values, names),
        with_file_names(schema.fields, personal, names),
    )
