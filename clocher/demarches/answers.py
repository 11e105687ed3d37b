"""A request's answers as a reader sees them: labels, choice labels, files, repeat blocks.

Built from the form version the request answered (never the current form: a request keeps its
version), showing only the fields visible for those answers. An anonymised request has no
personal values left: its personal fields are shown as erased.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from clocher.core.models import VaultFile
from clocher.core.vault import read_file_name
from clocher.demarches.formschema import FieldSpec, parse_schema, visible_fields
from clocher.demarches.formschema.conditions import evaluate
from clocher.demarches.formschema.file_references import file_ids, with_file_names
from clocher.demarches.models import Request
from clocher.demarches.selectors import vault_file_names

# Builds the download URL of a file of the request from its vault file id (or None: unknown).
FileLink = Callable[[str], str | None]


@dataclass
class AnswerFile:
    name: str
    size: int
    url: str | None


@dataclass
class Answer:
    label: str
    kind: str  # "heading", "value", "files", "repeat", "erased"
    text: str = ""
    is_personal: bool = False
    files: list[AnswerFile] = field(default_factory=list)
    items: list[list[Answer]] = field(default_factory=list)


def _text(spec: FieldSpec, value: Any) -> str:
    if spec.type == "checkbox":
        return _("Oui") if value else _("Non")
    if value in (None, "", []):
        return ""
    if spec.type == "choice":
        return spec.choice_label(str(value))
    if spec.type == "multichoice":
        return ", ".join(spec.choice_label(str(item)) for item in value)
    if spec.type == "date":
        try:
            return datetime.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if spec.type == "number":
        return str(value).replace(".", ",")
    if spec.type == "address" and isinstance(value, dict):
        text = str(value.get("text", ""))
        if "latitude" in value and "longitude" in value:
            text = f"{text} ({value['latitude']}, {value['longitude']})".strip()
        return text
    return str(value)


def _answer(spec: FieldSpec, value: Any, file_link: FileLink, scope: dict[str, Any]) -> Answer:
    if spec.type in ("section", "page"):
        return Answer(label=spec.label, kind="heading")
    if spec.type == "file":
        files = [
            AnswerFile(
                name=str(item.get("name") or _("fichier")),
                size=int(item.get("size") or 0),
                url=file_link(str(item.get("file", ""))),
            )
            for item in (value or [])
            if isinstance(item, dict)
        ]
        return Answer(label=spec.label, kind="files", files=files, is_personal=spec.personal)
    if spec.type == "repeat":
        items = []
        for item in value or []:
            if not isinstance(item, dict):
                continue
            item_scope = {**scope, **item}
            items.append(
                [
                    _answer(sub, item.get(sub.name), file_link, item_scope)
                    for sub in spec.fields
                    if sub.has_value and evaluate(sub.condition, item_scope)
                ]
            )
        return Answer(label=spec.label, kind="repeat", items=items, is_personal=spec.personal)
    return Answer(
        label=spec.label, kind="value", text=_text(spec, value), is_personal=spec.personal
    )


def request_answers(
    request: Request, *, file_link: FileLink, vault_files: Mapping[str, VaultFile] | None = None
) -> list[Answer]:
    """The visible fields of the request's form version with their answers, in order. Files
    are named from the vault: from ``vault_files`` (by id) when the caller has loaded them,
    otherwise read here (one query); only the files the answers refer to are unsealed."""
    try:
        schema = parse_schema(request.form_version.schema)
    except ValueError:
        return []
    values = dict(request.values or {})
    if not request.is_anonymised:
        values.update(request.personal())
    referenced = file_ids(schema.fields, values)
    if vault_files is None:
        names = vault_file_names(request.commune, referenced)
    else:
        names = {
            file_id: read_file_name(vault_files[file_id])
            for file_id in referenced
            if file_id in vault_files
        }
    values = with_file_names(schema.fields, values, names)
    answers = []
    for spec in visible_fields(schema, values):
        if spec.type == "help":
            continue
        if spec.has_value and spec.personal and request.is_anonymised:
            answers.append(Answer(label=spec.label, kind="erased", is_personal=True))
            continue
        answers.append(_answer(spec, values.get(spec.name), file_link, values))
    return answers
