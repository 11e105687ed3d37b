"""File answers: references to vault files, and where their names live.

A file field's answer is a list of references to files sealed in the vault. In a draft and in a
request's sealed personal values a reference reads ``{"file": "<vault file id>", "name": "...",
"size": 123}``. In a request's clear values (``Request.values``, the fields not flagged
personal, kept after anonymisation for statistics) it is ``{"file": "<vault file id>",
"size": 123}`` only: a file's name often carries a person's name, and the vault already keeps
it sealed with the file (``VaultFile.name_ciphertext``). Readers that show or export names put
them back from the vault with :func:`with_file_names`.

Files are found through the form (file fields, and file fields of repeatable blocks), never by
the shape of a value alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from clocher.demarches.formschema.schema import FieldSpec

Reference = dict[str, Any]


def _is_reference(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("file"), str)


def _map_references(
    fields: Iterable[FieldSpec], values: Mapping[str, Any], change: Callable[[Reference], Reference]
) -> dict[str, Any]:
    """A copy of ``values`` with every file reference replaced by ``change(reference)``."""
    out = dict(values)
    for spec in fields:
        value = values.get(spec.name)
        if not isinstance(value, list):
            continue
        if spec.type == "file":
            out[spec.name] = [change(item) if _is_reference(item) else item for item in value]
        elif spec.type == "repeat":
            out[spec.name] = [
                _map_references(spec.fields, item, change) if isinstance(item, dict) else item
                for item in value
            ]
    return out


def file_ids(fields: Iterable[FieldSpec], values: Mapping[str, Any]) -> set[str]:
    """The vault file ids that ``values`` refer to."""
    found: set[str] = set()

    def collect(reference: Reference) -> Reference:
        found.add(reference["file"])
        return reference

    _map_references(fields, values, collect)
    return found


def without_file_names(fields: Iterable[FieldSpec], values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with the names taken out of their file references (id and size stay)."""
    return _map_references(
        fields, values, lambda reference: {k: v for k, v in reference.items() if k != "name"}
    )


def with_file_names(
    fields: Iterable[FieldSpec], values: Mapping[str, Any], names: Mapping[str, str]
) -> dict[str, Any]:
    """``values`` with each file reference named from ``names`` (vault file id → name); a
    reference whose file is not in ``names`` keeps the name it has, if any."""

    def named(reference: Reference) -> Reference:
        name = names.get(reference["file"]) or reference.get("name")
        if name is None:
            return reference
        rest = {k: v for k, v in reference.items() if k not in ("file", "name")}
        return {"file": reference["file"], "name": name, **rest}

    return _map_references(fields, values, named)
