"""Conditional display: evaluating conditions and listing every path through a form.

A condition is a leaf ``{"field": name, "op": operator, "value": …}`` or a group
``{"all": [...]}`` (AND) / ``{"any": [...]}`` (OR), nested at will. A condition on a page applies
to every field of the page; on a section, to the fields after it up to the next section or page;
on a field, to that field. A field is shown when all three hold. Hidden fields are neither
required nor kept.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from clocher.demarches.formschema.schema import FieldSpec, FormSchema

MAX_PATHS = 64
MAX_COMBINATIONS = 4096


def _is_filled(value: Any) -> bool:
    return value not in (None, "", [], {}, False)


def _as_number(value: Any) -> float | None:
    try:
        return float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return None


def evaluate(condition: dict[str, Any] | None, values: dict[str, Any]) -> bool:
    """Whether ``condition`` holds for ``values`` (absent condition: always)."""
    if not condition:
        return True
    if "all" in condition:
        return all(evaluate(part, values) for part in condition["all"])
    if "any" in condition:
        return any(evaluate(part, values) for part in condition["any"])
    value = values.get(condition.get("field", ""))
    expected = condition.get("value")
    operator = condition.get("op")
    if operator == "equals":
        return _matches(value, expected)
    if operator == "not_equals":
        return not _matches(value, expected)
    if operator == "in":
        options = expected if isinstance(expected, list) else [expected]
        return any(_matches(value, option) for option in options)
    if operator == "contains":
        return isinstance(value, list) and str(expected) in [str(item) for item in value]
    if operator == "checked":
        return value is True
    if operator == "not_checked":
        return value is not True
    if operator == "filled":
        return _is_filled(value)
    if operator == "empty":
        return not _is_filled(value)
    if operator in ("gt", "lt"):
        left, right = _as_number(value), _as_number(expected)
        if left is None or right is None:
            return False
        return left > right if operator == "gt" else left < right
    return False


def _matches(value: Any, expected: Any) -> bool:
    if isinstance(value, list):
        return str(expected) in [str(item) for item in value]
    if value is None:
        return expected in (None, "")
    return str(value) == str(expected)


def visible_fields(schema: FormSchema, values: dict[str, Any]) -> list[FieldSpec]:
    """The specs shown for these values, layout included, in order."""
    shown = []
    page_ok = section_ok = True
    for spec in schema.fields:
        if spec.type == "page":
            page_ok = evaluate(spec.condition, values)
            section_ok = True
            if page_ok:
                shown.append(spec)
            continue
        if spec.type == "section":
            section_ok = evaluate(spec.condition, values)
            if page_ok and section_ok:
                shown.append(spec)
            continue
        if page_ok and section_ok and evaluate(spec.condition, values):
            shown.append(spec)
    return shown


@dataclass(frozen=True)
class FormPath:
    """One way through the form: the answers that lead to it and the fields it shows."""

    answers: tuple[tuple[str, str], ...]  # (field label, answer label)
    fields: tuple[FieldSpec, ...]

    @property
    def description(self) -> str:
        if not self.answers:
            return _("Toujours")
        return " ; ".join(f"{label} : {answer}" for label, answer in self.answers)


def _driver_names(condition: dict[str, Any] | None, out: list[str]) -> None:
    if not condition:
        return
    for group in ("all", "any"):
        if group in condition:
            for part in condition[group]:
                _driver_names(part, out)
            return
    name = condition.get("field")
    if name and name not in out:
        out.append(name)


def _leaf_values(condition: dict[str, Any] | None, name: str, out: list[Any]) -> None:
    if not condition:
        return
    for group in ("all", "any"):
        if group in condition:
            for part in condition[group]:
                _leaf_values(part, name, out)
            return
    if condition.get("field") != name:
        return
    expected = condition.get("value")
    if condition.get("op") in ("gt", "lt"):
        number = _as_number(expected)
        if number is not None:
            for candidate in (number - 1, number + 1):
                if candidate not in out:
                    out.append(candidate)
        return
    for item in expected if isinstance(expected, list) else [expected]:
        if item is not None and item not in out:
            out.append(item)


def _candidates(spec: FieldSpec, schema: FormSchema) -> list[tuple[Any, str]]:
    """The answers worth trying for a field that drives a condition, with their label."""
    if spec.type == "checkbox":
        return [(True, _("cochée")), (False, _("non cochée"))]
    if spec.type == "choice":
        return [(c.value, c.label) for c in spec.choices] + [(None, _("sans réponse"))]
    if spec.type == "multichoice":
        return [([c.value], c.label) for c in spec.choices] + [([], _("aucun choix"))]
    tried: list[Any] = []
    for other in schema.fields:
        _leaf_values(other.condition, spec.name, tried)
    options: list[tuple[Any, str]] = [(value, str(value)) for value in tried]
    options.append(("x" if spec.type != "number" else None, _("renseigné")))
    options.append((None, _("vide")))
    return options


def enumerate_paths(schema: FormSchema) -> tuple[list[FormPath], bool]:
    """Every distinct set of shown fields, with the answers that lead to it.

    Returns the paths and whether the list was cut (too many combinations to try them all).
    """
    drivers: list[str] = []
    for spec in schema.fields:
        _driver_names(spec.condition, drivers)
    by_name = schema.by_name()
    drivers = [name for name in drivers if name in by_name]
    options = [_candidates(by_name[name], schema) for name in drivers]
    total = 1
    for choice_list in options:
        total *= max(len(choice_list), 1)
    truncated = total > MAX_COMBINATIONS
    seen: dict[tuple[str, ...], FormPath] = {}
    for combination in itertools.islice(itertools.product(*options), MAX_COMBINATIONS):
        values = {name: answer for name, (answer, _label) in zip(drivers, combination, strict=True)}
        shown = visible_fields(schema, values)
        # An answer to a hidden driver does not make a different path.
        shown_names = {spec.name for spec in shown}
        answers = tuple(
            (by_name[name].label, label)
            for name, (_answer, label) in zip(drivers, combination, strict=True)
            if name in shown_names
        )
        key = tuple(spec.name for spec in shown)
        if key not in seen:
            seen[key] = FormPath(answers=answers, fields=tuple(shown))
        if len(seen) >= MAX_PATHS:
            truncated = True
            break
    return list(seen.values()), truncated
