"""The form builder: a commune edits its procedure's form as a draft, then publishes it.

The form being edited is a *draft* :class:`~clocher.demarches.models.FormVersion` (``published_at``
empty): at most one per procedure, copied from the published version on the first edit. Every
operation here changes the draft in one transaction and checks the WHOLE form again with
:func:`~clocher.demarches.formschema.parse_schema` before saving it; a change that would break
the form (a name used twice, a condition on a later or missing field, a condition on a choice
that does not exist, a block left empty…) is refused with :class:`BuilderRefused`, whose messages
are written for the secretary, and the draft is left as it was.

:func:`form_publish` makes the draft the procedure's ``current_form``. Requests keep the version
they answered (``Request.form_version``): publishing never rewrites what a citizen was asked.

Fields inside a repeatable block are addressed with ``parent`` (the block's name).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clocher.core import audit
from clocher.demarches.formschema import SchemaError, parse_schema
from clocher.demarches.formschema.schema import INPUT_TYPES, NAME_PATTERN
from clocher.demarches.models import FormVersion, Procedure

# The field types as the secretary reads them, in the order the type chooser offers them.
FIELD_TYPE_LABELS: dict[str, Any] = {
    "text": gettext_lazy("Texte court"),
    "textarea": gettext_lazy("Texte long"),
    "number": gettext_lazy("Nombre"),
    "date": gettext_lazy("Date"),
    "email": gettext_lazy("Adresse électronique"),
    "phone": gettext_lazy("Téléphone"),
    "choice": gettext_lazy("Choix unique"),
    "multichoice": gettext_lazy("Choix multiples"),
    "checkbox": gettext_lazy("Case à cocher / consentement"),
    "address": gettext_lazy("Adresse"),
    "file": gettext_lazy("Fichier joint"),
    "section": gettext_lazy("Titre de section"),
    "help": gettext_lazy("Texte d'aide"),
    "repeat": gettext_lazy("Bloc répétable"),
    "page": gettext_lazy("Saut de page"),
}

# Answers that usually identify someone: a new field of these types is personal unless the
# secretary says otherwise (sealed in the vault, wiped at the end of the retention period).
PERSONAL_BY_DEFAULT = frozenset({"text", "email", "phone", "address", "date", "repeat"})

# Types a repeatable block cannot contain (schema rule).
NOT_IN_REPEAT = frozenset({"repeat", "page", "section"})

# Operators of a condition, as the summary and the condition editor say them.
OPERATOR_LABELS: dict[str, Any] = {
    "equals": gettext_lazy("est"),
    "not_equals": gettext_lazy("n'est pas"),
    "in": gettext_lazy("est l'un de"),
    "contains": gettext_lazy("comprend"),
    "checked": gettext_lazy("est coché"),
    "not_checked": gettext_lazy("n'est pas coché"),
    "filled": gettext_lazy("est renseigné"),
    "empty": gettext_lazy("est vide"),
    "gt": gettext_lazy("est supérieur à"),
    "lt": gettext_lazy("est inférieur à"),
}

# Which attributes of a field the publish confirmation names when they change.
ATTRIBUTE_LABELS: dict[str, Any] = {
    "label": gettext_lazy("libellé"),
    "help": gettext_lazy("texte d'aide"),
    "required": gettext_lazy("obligatoire"),
    "personal": gettext_lazy("donnée personnelle"),
    "choices": gettext_lazy("choix proposés"),
    "condition": gettext_lazy("condition d'affichage"),
    "max_length": gettext_lazy("longueur maximale"),
    "min": gettext_lazy("valeur minimale"),
    "max": gettext_lazy("valeur maximale"),
    "integer": gettext_lazy("nombre entier"),
    "pattern": gettext_lazy("format attendu"),
    "pattern_message": gettext_lazy("message de format"),
    "date_range": gettext_lazy("dates acceptées"),
    "with_coordinates": gettext_lazy("position"),
    "file_kinds": gettext_lazy("types de fichiers"),
    "max_files": gettext_lazy("nombre de fichiers"),
    "fields": gettext_lazy("champs du bloc"),
    "min_items": gettext_lazy("nombre minimal de réponses"),
    "max_items": gettext_lazy("nombre maximal de réponses"),
    "type": gettext_lazy("type"),
    "name": gettext_lazy("nom technique"),
}


# The keys the builder's forms write; any other key of a field is kept as it is on update.
BUILDER_KEYS = frozenset(
    {
        "type",
        "name",
        "label",
        "help",
        "required",
        "personal",
        "choices",
        "condition",
        "max_length",
        "min",
        "max",
        "integer",
        "pattern",
        "pattern_message",
        "date_range",
        "with_coordinates",
        "file_kinds",
        "max_files",
        "fields",
        "min_items",
        "max_items",
    }
)


class BuilderRefused(Exception):
    """The builder refuses a change; ``errors`` are French messages for the secretary."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


# --- Reading the draft ----------------------------------------------------------------------


def current_draft(procedure: Procedure) -> FormVersion | None:
    """The procedure's draft form (unpublished version), if someone started editing."""
    return (
        FormVersion.objects.for_commune(procedure.commune)
        .filter(procedure=procedure, published_at__isnull=True)
        .order_by("-number")
        .first()
    )


def published_form(procedure: Procedure) -> FormVersion | None:
    """The version citizens fill in today."""
    if procedure.current_form_id is None:
        return None
    return (
        FormVersion.objects.for_commune(procedure.commune)
        .filter(pk=procedure.current_form_id, published_at__isnull=False)
        .first()
    )


def fields_of(schema: dict[str, Any], parent: str | None = None) -> list[dict[str, Any]]:
    """The field dicts of a form (or of the repeatable block ``parent``), as stored."""
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list):
        return []
    if parent is None:
        return [item for item in fields if isinstance(item, dict)]
    for item in fields:
        if isinstance(item, dict) and item.get("name") == parent and item.get("type") == "repeat":
            sub = item.get("fields")
            return [s for s in sub if isinstance(s, dict)] if isinstance(sub, list) else []
    return []


def find_field(
    schema: dict[str, Any], name: str, parent: str | None = None
) -> dict[str, Any] | None:
    for item in fields_of(schema, parent):
        if item.get("name") == name:
            return item
    return None


def field_title(item: dict[str, Any]) -> str:
    """How the secretary recognises a field: its label, else its help text, else its name."""
    label = str(item.get("label") or "").strip()
    if label:
        return label
    help_text = str(item.get("help") or "").strip()
    if help_text:
        return help_text if len(help_text) <= 60 else help_text[:57] + "…"
    return str(item.get("name") or "")


def is_personal_by_default(field_type: str) -> bool:
    return field_type in PERSONAL_BY_DEFAULT


# --- Conditions in plain French ---------------------------------------------------------------


def _value_label(target: dict[str, Any] | None, value: Any) -> str:
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if target is not None:
        for choice in target.get("choices") or []:
            if isinstance(choice, dict) and str(choice.get("value")) == str(value):
                return str(choice.get("label") or value)
            if isinstance(choice, str) and choice == str(value):
                return choice
    return str(value)


def _number_text(value: Any) -> str:
    """12 → « 12 », 2.5 → « 2,5 » (French decimal comma)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",") if isinstance(value, int | float) else str(value)


def _leaf_text(leaf: dict[str, Any], by_name: dict[str, dict[str, Any]]) -> str:
    name = str(leaf.get("field", ""))
    target = by_name.get(name)
    label = field_title(target) if target else name
    operator = leaf.get("op")
    value = leaf.get("value")
    if operator == "equals":
        return f"{label} = {_value_label(target, value)}"
    if operator == "not_equals":
        return f"{label} ≠ {_value_label(target, value)}"
    if operator == "in":
        values = value if isinstance(value, list) else [value]
        return _("%(field)s = %(values)s") % {
            "field": label,
            "values": _(" ou ").join(_value_label(target, item) for item in values),
        }
    if operator == "contains":
        return _("%(field)s : comprend %(value)s") % {
            "field": label,
            "value": _value_label(target, value),
        }
    if operator == "checked":
        return _("%(field)s : coché") % {"field": label}
    if operator == "not_checked":
        return _("%(field)s : non coché") % {"field": label}
    if operator == "filled":
        return _("%(field)s : renseigné") % {"field": label}
    if operator == "empty":
        return _("%(field)s : vide") % {"field": label}
    if operator == "gt":
        return f"{label} > {_number_text(value)}"
    if operator == "lt":
        return f"{label} < {_number_text(value)}"
    return f"{label} ? {value}"


def _condition_text(
    condition: dict[str, Any], by_name: dict[str, dict[str, Any]], *, nested: bool
) -> str:
    for group, word in (("all", _(" ET ")), ("any", _(" OU "))):
        parts = condition.get(group)
        if isinstance(parts, list):
            texts = [
                _condition_text(part, by_name, nested=True)
                for part in parts
                if isinstance(part, dict)
            ]
            joined = word.join(texts)
            return f"({joined})" if nested and len(texts) > 1 else joined
    return _leaf_text(condition, by_name)


def describe_condition(condition: Any, schema: dict[str, Any], parent: str | None = None) -> str:
    """« si Type = Voirie ET (Photo : renseigné OU Urgent : coché) »; "" when there is none."""
    if not isinstance(condition, dict) or not condition:
        return ""
    by_name = {str(item.get("name")): item for item in fields_of(schema)}
    if parent is not None:
        by_name.update({str(item.get("name")): item for item in fields_of(schema, parent)})
    return _("si %(condition)s") % {"condition": _condition_text(condition, by_name, nested=False)}


def condition_field_names(condition: Any) -> list[str]:
    """Every field a condition looks at, in order of appearance."""
    names: list[str] = []

    def walk(part: Any) -> None:
        if not isinstance(part, dict):
            return
        for group in ("all", "any"):
            if isinstance(part.get(group), list):
                for item in part[group]:
                    walk(item)
                return
        name = part.get("field")
        if isinstance(name, str) and name not in names:
            names.append(name)

    walk(condition)
    return names


@dataclass(frozen=True)
class ConditionUse:
    """A field whose condition looks at another field."""

    owner: dict[str, Any]
    parent: str | None


def conditions_using(
    schema: dict[str, Any], name: str, parent: str | None = None
) -> list[ConditionUse]:
    """The fields whose condition depends on field ``name`` (of block ``parent``)."""
    uses = []
    if parent is None:
        for item in fields_of(schema):
            if name in condition_field_names(item.get("condition")):
                uses.append(ConditionUse(item, None))
            if item.get("type") == "repeat":
                for sub in fields_of(schema, str(item.get("name"))):
                    if name in condition_field_names(sub.get("condition")):
                        uses.append(ConditionUse(sub, str(item.get("name"))))
    else:
        for sub in fields_of(schema, parent):
            if sub.get("name") != name and name in condition_field_names(sub.get("condition")):
                uses.append(ConditionUse(sub, parent))
    return uses


def _uses_text(schema: dict[str, Any], uses: list[ConditionUse]) -> str:
    return _(" ; ").join(
        _("la condition de « %(owner)s » (%(condition)s)")
        % {
            "owner": field_title(use.owner),
            "condition": describe_condition(use.owner.get("condition"), schema, use.parent),
        }
        for use in uses
    )


# --- Writing the draft ------------------------------------------------------------------------


def _check(schema: dict[str, Any]) -> None:
    """The whole form is valid, or :class:`BuilderRefused` with every problem."""
    errors: list[str] = []
    try:
        parse_schema(schema)
    except SchemaError as error:
        errors.extend(error.errors)
    for item in fields_of(schema):
        if item.get("type") != "repeat":
            continue
        seen: set[str] = set()
        for sub in fields_of(schema, str(item.get("name"))):
            sub_name = str(sub.get("name"))
            if sub_name in seen:
                errors.append(
                    _("Bloc « %(block)s » : le nom « %(name)s » est utilisé deux fois.")
                    % {"block": field_title(item), "name": sub_name}
                )
            seen.add(sub_name)
    if errors:
        raise BuilderRefused(errors)


@transaction.atomic
def draft_open(*, procedure: Procedure, actor: Any) -> FormVersion:
    """The procedure's draft, created from the published form on the first edit."""
    Procedure.objects.for_commune(procedure.commune).select_for_update(of=("self",)).filter(
        pk=procedure.pk
    ).first()
    existing = current_draft(procedure)
    if existing is not None:
        return existing
    base = published_form(procedure)
    versions = FormVersion.objects.for_commune(procedure.commune).filter(procedure=procedure)
    number = (versions.aggregate(top=Max("number"))["top"] or 0) + 1
    return FormVersion.objects.create(
        commune=procedure.commune,
        procedure=procedure,
        number=number,
        schema=copy.deepcopy(base.schema) if base else {"fields": []},
        based_on=base.based_on if base else None,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _edit(draft: FormVersion, change: Callable[[dict[str, Any]], None]) -> FormVersion:
    """Apply ``change`` to a copy of the draft's form, check it whole, save it."""
    with transaction.atomic():
        locked = (
            FormVersion.objects.for_commune(draft.commune)
            .select_for_update(of=("self",))
            .filter(pk=draft.pk)
            .first()
        )
        if locked is None:
            raise BuilderRefused([_("Ce brouillon n'existe plus : rouvrez le formulaire.")])
        if locked.published_at is not None:
            raise BuilderRefused(
                [_("Cette version du formulaire est publiée : elle ne peut plus être modifiée.")]
            )
        schema = copy.deepcopy(locked.schema) if isinstance(locked.schema, dict) else {}
        if not isinstance(schema.get("fields"), list):
            schema["fields"] = []
        change(schema)
        _check(schema)
        locked.schema = schema
        locked.save(update_fields=["schema"])
    draft.schema = schema
    return locked


def _container(schema: dict[str, Any], parent: str | None) -> list[Any]:
    fields: list[Any] = schema["fields"]
    if parent is None:
        return fields
    for item in fields:
        if isinstance(item, dict) and item.get("name") == parent:
            if item.get("type") != "repeat":
                break
            if not isinstance(item.get("fields"), list):
                item["fields"] = []
            sub: list[Any] = item["fields"]
            return sub
    raise BuilderRefused(
        [_("Le bloc répétable « %(name)s » n'existe pas dans le brouillon.") % {"name": parent}]
    )


def _index(container: list[Any], name: str) -> int:
    for position, item in enumerate(container):
        if isinstance(item, dict) and item.get("name") == name:
            return position
    raise BuilderRefused(
        [_("Le champ « %(name)s » n'existe pas dans le brouillon.") % {"name": name}]
    )


def _all_names(schema: dict[str, Any], parent: str | None) -> set[str]:
    return {str(item.get("name")) for item in fields_of(schema, parent)}


def name_from_label(label: str, taken: set[str]) -> str:
    """A technical name made from the label: « Numéro du lampadaire » → ``numero_du_lampadaire``."""
    base = slugify(label).replace("-", "_")[:40].strip("_")
    if not base or not base[0].isalpha():
        base = f"champ_{base}".strip("_")
    candidate, counter = base, 2
    while candidate in taken:
        candidate = f"{base}_{counter}"
        counter += 1
    return candidate


def _clean_spec(spec_dict: dict[str, Any], *, parent: str | None) -> dict[str, Any]:
    """Keep the non-empty keys of a field; the builder never stores ``None`` or blanks."""
    spec = {key: value for key, value in spec_dict.items() if value is not None and value != ""}
    if spec.get("type") not in INPUT_TYPES:
        spec.pop("required", None)
        spec.pop("personal", None)
    if parent is not None:
        spec.pop("personal", None)  # the block as a whole is personal or not
    return spec


def _refuse_duplicate(schema: dict[str, Any], name: str, parent: str | None) -> None:
    for item in fields_of(schema, parent):
        if item.get("name") == name:
            raise BuilderRefused(
                [
                    _("Le nom technique « %(name)s » est déjà utilisé par « %(label)s ».")
                    % {"name": name, "label": field_title(item)}
                ]
            )


def field_add(
    *,
    draft: FormVersion,
    spec_dict: dict[str, Any],
    position: int | None = None,
    parent: str | None = None,
) -> str:
    """Insert a field at ``position`` (the end when None); return its name."""
    spec = _clean_spec(spec_dict, parent=parent)
    field_type = spec.get("type")
    if field_type not in FIELD_TYPE_LABELS:
        raise BuilderRefused([_("Choisissez un type de champ dans la liste.")])
    if parent is not None and field_type in NOT_IN_REPEAT:
        raise BuilderRefused(
            [
                _("Un bloc répétable ne peut pas contenir de « %(type)s ».")
                % {"type": FIELD_TYPE_LABELS[field_type]}
            ]
        )
    result: dict[str, Any] = {}

    def change(schema: dict[str, Any]) -> None:
        container = _container(schema, parent)
        name = spec.get("name")
        if name:
            _refuse_duplicate(schema, str(name), parent)
        else:
            spec["name"] = name_from_label(
                field_title(spec) or FIELD_TYPE_LABELS[str(field_type)],
                _all_names(schema, parent),
            )
        where = len(container) if position is None else max(0, min(position, len(container)))
        container.insert(where, spec)
        result["name"] = str(spec["name"])

    _edit(draft, change)
    return result["name"]


def field_update(
    *,
    draft: FormVersion,
    field_name: str,
    spec_dict: dict[str, Any],
    parent: str | None = None,
) -> str:
    """Replace a field's settings (its condition and block content are kept); return its name.

    Its type cannot change; renaming a field that a condition looks at is refused, naming the
    condition.
    """
    spec = _clean_spec(spec_dict, parent=parent)
    result: dict[str, Any] = {}

    def change(schema: dict[str, Any]) -> None:
        container = _container(schema, parent)
        position = _index(container, field_name)
        old = container[position]
        if spec.get("type", old.get("type")) != old.get("type"):
            raise BuilderRefused(
                [
                    _(
                        "Le type d'un champ ne change pas : ajoutez un nouveau champ du type "
                        "voulu, puis supprimez celui-ci."
                    )
                ]
            )
        new = {**spec, "type": old.get("type")}
        new_name = str(new.get("name") or field_name)
        new["name"] = new_name
        if new_name != field_name:
            _refuse_duplicate(schema, new_name, parent)
            uses = conditions_using(schema, field_name, parent)
            if uses:
                raise BuilderRefused(
                    [
                        _(
                            "Le nom technique de « %(label)s » ne peut pas changer : %(uses)s "
                            "en dépend. Modifiez d'abord cette condition."
                        )
                        % {"label": field_title(old), "uses": _uses_text(schema, uses)}
                    ]
                )
        for key, value in old.items():
            if key not in BUILDER_KEYS and key not in new:
                new[key] = value  # written in JSON by a power user: the forms do not edit it
        if "condition" in old and "condition" not in spec_dict:
            new["condition"] = old["condition"]
        if old.get("type") == "repeat" and "fields" not in spec_dict:
            new["fields"] = old.get("fields", [])
        container[position] = new
        result["name"] = new_name

    _edit(draft, change)
    return result["name"]


def field_move(
    *, draft: FormVersion, field_name: str, direction: str, parent: str | None = None
) -> None:
    """Move a field one place ``"up"`` or ``"down"``."""
    if direction not in ("up", "down"):
        raise BuilderRefused([_("Sens de déplacement inconnu.")])

    def change(schema: dict[str, Any]) -> None:
        container = _container(schema, parent)
        position = _index(container, field_name)
        other = position - 1 if direction == "up" else position + 1
        if not 0 <= other < len(container):
            raise BuilderRefused(
                [
                    _("Ce champ est déjà le premier.")
                    if direction == "up"
                    else _("Ce champ est déjà le dernier.")
                ]
            )
        container[position], container[other] = container[other], container[position]
        try:
            _check(schema)
        except BuilderRefused as refused:
            raise BuilderRefused(
                [_("Ce déplacement casserait une condition."), *refused.errors]
            ) from refused

    _edit(draft, change)


def field_remove(*, draft: FormVersion, field_name: str, parent: str | None = None) -> None:
    """Remove a field; refused while a condition looks at it."""

    def change(schema: dict[str, Any]) -> None:
        container = _container(schema, parent)
        position = _index(container, field_name)
        uses = conditions_using(schema, field_name, parent)
        if uses:
            raise BuilderRefused(
                [
                    _(
                        "« %(label)s » ne peut pas être supprimé : %(uses)s en dépend. "
                        "Modifiez d'abord cette condition."
                    )
                    % {"label": field_title(container[position]), "uses": _uses_text(schema, uses)}
                ]
            )
        if parent is not None and len(container) == 1:
            raise BuilderRefused(
                [
                    _(
                        "Un bloc répétable garde au moins un champ : ajoutez-en un autre avant "
                        "de supprimer celui-ci, ou supprimez le bloc entier."
                    )
                ]
            )
        del container[position]

    _edit(draft, change)


def _condition_shape_errors(condition: Any, depth: int = 0) -> list[str]:
    if not isinstance(condition, dict):
        return [_("Une condition est un objet.")]
    if depth > 5:
        return [_("La condition est imbriquée trop profondément.")]
    for group in ("all", "any"):
        if group in condition:
            parts = condition[group]
            if not isinstance(parts, list) or not parts:
                return [_("Un groupe de conditions doit contenir au moins une condition.")]
            return [error for part in parts for error in _condition_shape_errors(part, depth + 1)]
    return []


def condition_set(
    *,
    draft: FormVersion,
    field_name: str,
    condition: dict[str, Any] | None,
    parent: str | None = None,
) -> None:
    """Show the field only when ``condition`` holds (``None``: always show it)."""
    if condition:
        shape_errors = _condition_shape_errors(condition)
        if shape_errors:
            raise BuilderRefused(shape_errors)

    def change(schema: dict[str, Any]) -> None:
        container = _container(schema, parent)
        item = container[_index(container, field_name)]
        if condition:
            item["condition"] = copy.deepcopy(condition)
        else:
            item.pop("condition", None)

    _edit(draft, change)


def draft_replace(*, procedure: Procedure, actor: Any, schema: Any) -> FormVersion:
    """Replace the draft's whole form (the advanced JSON upload), after checking it."""
    if not isinstance(schema, dict):
        raise BuilderRefused(
            [_("Le fichier doit contenir un objet JSON avec une liste « fields ».")]
        )
    _check(schema)
    with transaction.atomic():
        draft = draft_open(procedure=procedure, actor=actor)

        def change(current: dict[str, Any]) -> None:
            current.clear()
            current.update(copy.deepcopy(schema))

        return _edit(draft, change)


@transaction.atomic
def draft_discard(*, draft: FormVersion) -> None:
    """Throw the draft away; the published form stays as it is."""
    locked = (
        FormVersion.objects.for_commune(draft.commune)
        .select_for_update(of=("self",))
        .filter(pk=draft.pk)
        .first()
    )
    if locked is None:
        return
    if locked.published_at is not None:
        raise BuilderRefused([_("Une version publiée ne peut pas être abandonnée.")])
    locked.delete()


# --- Publishing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    title: str
    what: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SchemaChanges:
    """What a draft changes against the published form."""

    added: list[str]
    removed: list[str]
    changed: list[FieldChange]
    reordered: bool

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.reordered)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


# Settings whose absence means this value (see ``formschema.schema``).
SCHEMA_DEFAULTS: dict[str, Any] = {
    "max_files": 5,
    "min_items": 0,
    "max_items": 10,
    "file_kinds": ["image", "pdf"],
}


def _normalised(item: dict[str, Any]) -> dict[str, Any]:
    """A field without its empty or default settings (``"required": false`` is no setting at
    all), choices written as ``{"value", "label"}``: two ways of writing the same field compare
    equal."""
    out = {}
    for key, value in item.items():
        if value is None or value is False or value in ("", [], {}):
            continue
        if key in SCHEMA_DEFAULTS and value == SCHEMA_DEFAULTS[key]:
            continue
        if key == "choices" and isinstance(value, list):
            value = [
                {"value": choice, "label": choice} if isinstance(choice, str) else choice
                for choice in value
            ]
        if key == "fields" and isinstance(value, list):
            value = [_normalised(sub) if isinstance(sub, dict) else sub for sub in value]
        out[key] = value
    return out


def schema_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> SchemaChanges:
    """Added, removed and changed fields between two forms (by technical name)."""
    old_fields = {str(item.get("name")): _normalised(item) for item in fields_of(old or {})}
    new_fields = {str(item.get("name")): _normalised(item) for item in fields_of(new)}
    added = [field_title(item) for name, item in new_fields.items() if name not in old_fields]
    removed = [field_title(item) for name, item in old_fields.items() if name not in new_fields]
    changed = []
    for name, item in new_fields.items():
        before = old_fields.get(name)
        if before is None or _canonical(before) == _canonical(item):
            continue
        keys = sorted(set(before) | set(item))
        what = [
            ATTRIBUTE_LABELS.get(key, key)
            for key in keys
            if _canonical(before.get(key)) != _canonical(item.get(key))
        ]
        changed.append(FieldChange(title=field_title(item), what=what))
    common_old = [name for name in old_fields if name in new_fields]
    common_new = [name for name in new_fields if name in old_fields]
    return SchemaChanges(
        added=added, removed=removed, changed=changed, reordered=common_old != common_new
    )


@transaction.atomic
def form_publish(*, procedure: Procedure, actor: Any) -> FormVersion:
    """Publish the draft: it becomes the form citizens fill in from now on."""
    Procedure.objects.for_commune(procedure.commune).select_for_update(of=("self",)).filter(
        pk=procedure.pk
    ).first()
    draft = current_draft(procedure)
    if draft is None:
        raise BuilderRefused([_("Il n'y a pas de brouillon à publier.")])
    _check(draft.schema)
    if not parse_schema(draft.schema).input_fields():
        raise BuilderRefused(
            [_("Le formulaire ne pose aucune question : ajoutez au moins un champ à remplir.")]
        )
    published = published_form(procedure)
    if published is not None and schema_changes(published.schema, draft.schema).is_empty:
        raise BuilderRefused(
            [
                _(
                    "Le brouillon est identique au formulaire publié : il n'y a rien à publier. "
                    "Vous pouvez abandonner le brouillon."
                )
            ]
        )
    others = FormVersion.objects.for_commune(procedure.commune).filter(procedure=procedure)
    top = others.exclude(pk=draft.pk).aggregate(top=Max("number"))["top"] or 0
    draft.number = max(draft.number, top + 1)
    draft.published_at = timezone.now()
    if draft.created_by_id is None and getattr(actor, "is_authenticated", False):
        draft.created_by = actor
    draft.save(update_fields=["number", "published_at", "created_by"])
    procedure.current_form = draft
    procedure.save(update_fields=["current_form"])
    audit.log(
        audit.AuditAction.FORM_PUBLISHED,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        commune=procedure.commune,
        target=f"procedure:{procedure.pk}",
        data={"module": "demarches", "procedure": procedure.slug, "form_version": draft.number},
    )
    return draft


def validate_name(name: str) -> bool:
    return bool(NAME_PATTERN.match(name))
