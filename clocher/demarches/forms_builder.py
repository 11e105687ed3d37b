"""Forms of the form builder and of the procedure settings.

They parse what the secretary typed into the dicts the services take (``services/builder.py``,
``services/procedure_settings.py``), which decide and refuse. The condition editor is not a Django
form: its rows come and go with buttons (add a row, add a group, remove), so it keeps its own
state, read back from the POST each time — it works without JavaScript.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clocher.core.forms import Form
from clocher.demarches.formschema.schema import NAME_PATTERN
from clocher.demarches.models import SilenceRule, StatusKind
from clocher.demarches.services.builder import (
    OPERATOR_LABELS,
    field_title,
    is_personal_by_default,
    name_from_label,
)
from clocher.demarches.services.procedure_settings import NUMBER_SETTINGS, TEXT_SETTINGS

# A sentence under each type in the type chooser.
FIELD_TYPE_HINTS: dict[str, Any] = {
    "text": gettext_lazy("Une ligne : un nom, un numéro, une référence…"),
    "textarea": gettext_lazy("Plusieurs lignes : une description, des précisions."),
    "number": gettext_lazy("Un nombre, avec un minimum et un maximum si besoin."),
    "date": gettext_lazy("Une date choisie dans un calendrier."),
    "email": gettext_lazy("Une adresse e-mail, vérifiée."),
    "phone": gettext_lazy("Un numéro de téléphone."),
    "choice": gettext_lazy("Une seule réponse parmi une liste."),
    "multichoice": gettext_lazy("Plusieurs réponses possibles parmi une liste."),
    "checkbox": gettext_lazy("Une case à cocher : accord, consentement, oui / non."),
    "address": gettext_lazy("Une adresse postale, avec la position sur la carte si besoin."),
    "file": gettext_lazy("Une photo ou un document PDF à joindre."),
    "section": gettext_lazy("Un titre qui ouvre une partie du formulaire."),
    "help": gettext_lazy("Un texte d'explication, sans question."),
    "repeat": gettext_lazy(
        "Des questions répétées autant que nécessaire (par exemple, par enfant)."
    ),
    "page": gettext_lazy("Le formulaire continue sur une nouvelle page."),
}

COMMON_INPUT = ("label", "help", "required", "personal")
TYPE_SETTINGS: dict[str, tuple[str, ...]] = {
    "text": (*COMMON_INPUT, "max_length", "pattern", "pattern_message"),
    "textarea": (*COMMON_INPUT, "max_length"),
    "number": (*COMMON_INPUT, "min_value", "max_value", "integer"),
    "date": (*COMMON_INPUT, "date_range"),
    "email": COMMON_INPUT,
    "phone": COMMON_INPUT,
    "choice": (*COMMON_INPUT, "choices"),
    "multichoice": (*COMMON_INPUT, "choices"),
    "checkbox": COMMON_INPUT,
    "address": (*COMMON_INPUT, "with_coordinates"),
    "file": (*COMMON_INPUT, "file_kinds", "max_files"),
    "repeat": (*COMMON_INPUT, "min_items", "max_items", "first_sub_label"),
    "section": ("label", "help"),
    "help": ("label", "help"),
    "page": ("label", "help"),
}
ADVANCED = ("name", "pattern", "pattern_message")
MAX_CHOICES = 200

YES_NO = [("yes", gettext_lazy("Oui")), ("no", gettext_lazy("Non"))]
PERSONAL_CHOICES = [
    (
        "yes",
        gettext_lazy(
            "Donnée personnelle : chiffrée, visible des seuls agents de la famille, effacée à "
            "la fin de la durée de conservation"
        ),
    ),
    (
        "no",
        gettext_lazy(
            "Donnée non personnelle : gardée après l'anonymisation, pour les statistiques"
        ),
    ),
]
DATE_RANGES = [
    ("", gettext_lazy("Toute date")),
    ("past", gettext_lazy("Une date passée (ou aujourd'hui) : naissance, événement…")),
    ("future", gettext_lazy("Une date à venir (ou aujourd'hui) : réservation, rendez-vous…")),
]
FILE_KINDS = [("image", gettext_lazy("Photos et images")), ("pdf", gettext_lazy("Documents PDF"))]


def _number_text(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def choice_value(label: str) -> str:
    return slugify(label).replace("-", "_")[:100]


def choices_as_text(choices: Any) -> str:
    """One line per choice: its label, or « valeur|Libellé » when the value is not the label's."""
    lines = []
    for choice in choices or []:
        if isinstance(choice, str):
            choice = {"value": choice, "label": choice}
        if not isinstance(choice, dict):
            continue
        value, label = str(choice.get("value", "")), str(choice.get("label") or "")
        label = label or value
        lines.append(label if choice_value(label) == value else f"{value}|{label}")
    return "\n".join(lines)


class FieldForm(Form):
    """The settings of one field; only those that apply to its type are kept."""

    label = forms.CharField(
        label=gettext_lazy("Libellé"),
        max_length=300,
        help_text=gettext_lazy("La question telle que l'usager la lit."),
    )
    help = forms.CharField(
        label=gettext_lazy("Texte d'aide (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Affiché sous le libellé : un exemple, une précision."),
    )
    choices = forms.CharField(
        label=gettext_lazy("Choix proposés"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "Un choix par ligne. Pour fixer la valeur enregistrée, écrivez « valeur|Libellé » "
            "(par exemple « voirie|Voirie et trottoirs »)."
        ),
    )
    required = forms.ChoiceField(
        label=gettext_lazy("Réponse obligatoire ?"),
        choices=YES_NO,
        initial="no",
        required=False,
        widget=forms.RadioSelect,
    )
    personal = forms.ChoiceField(
        label=gettext_lazy("Nature de la réponse"),
        choices=PERSONAL_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "En cas de doute, choisissez « donnée personnelle » : c'est le plus prudent."
        ),
    )
    max_length = forms.IntegerField(
        label=gettext_lazy("Nombre maximal de caractères (facultatif)"),
        required=False,
        min_value=1,
        max_value=100_000,
    )
    min_value = forms.FloatField(label=gettext_lazy("Valeur minimale (facultatif)"), required=False)
    max_value = forms.FloatField(label=gettext_lazy("Valeur maximale (facultatif)"), required=False)
    integer = forms.BooleanField(
        label=gettext_lazy("Nombres entiers seulement (pas de virgule)"), required=False
    )
    date_range = forms.ChoiceField(
        label=gettext_lazy("Dates acceptées"),
        choices=DATE_RANGES,
        required=False,
        widget=forms.RadioSelect,
    )
    with_coordinates = forms.BooleanField(
        label=gettext_lazy("Demander aussi la position (latitude et longitude)"),
        required=False,
    )
    file_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Fichiers acceptés"),
        choices=FILE_KINDS,
        initial=["image", "pdf"],
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Les photos trop lourdes sont réduites automatiquement."),
    )
    max_files = forms.IntegerField(
        label=gettext_lazy("Nombre maximal de fichiers"), min_value=1, max_value=20, initial=5
    )
    min_items = forms.IntegerField(
        label=gettext_lazy("Nombre minimal de réponses au bloc"),
        min_value=0,
        max_value=50,
        initial=0,
    )
    max_items = forms.IntegerField(
        label=gettext_lazy("Nombre maximal de réponses au bloc"),
        min_value=1,
        max_value=50,
        initial=10,
    )
    first_sub_label = forms.CharField(
        label=gettext_lazy("Première question du bloc"),
        max_length=300,
        help_text=gettext_lazy(
            "Un texte court (par exemple « Prénom de l'enfant ») ; vous ajouterez les autres "
            "questions ensuite."
        ),
    )
    name = forms.CharField(
        label=gettext_lazy("Nom technique (facultatif)"),
        required=False,
        max_length=63,
        help_text=gettext_lazy(
            "Sert dans les exports et l'API. Laissez vide : il est fait à partir du libellé. "
            "Lettres minuscules sans accent, chiffres et « _ »."
        ),
    )
    pattern = forms.CharField(
        label=gettext_lazy("Format attendu (expression régulière, facultatif)"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Par exemple ^[0-9]{5}$ pour un code postal."),
    )
    pattern_message = forms.CharField(
        label=gettext_lazy("Message si le format n'est pas respecté"),
        required=False,
        max_length=300,
    )

    def __init__(
        self,
        *args: Any,
        field_type: str,
        in_repeat: bool = False,
        is_new: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.field_type = field_type
        self.in_repeat = in_repeat
        keep = set(TYPE_SETTINGS[field_type]) | {"name"}
        if in_repeat:
            keep.discard("personal")
        if not is_new:
            keep.discard("first_sub_label")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "personal" in self.fields:
            self.fields["personal"].initial = "yes" if is_personal_by_default(field_type) else "no"
        if field_type == "help":
            self.fields["label"].required = False
            self.fields["label"].label = gettext_lazy("Titre (facultatif)")
            self.fields["label"].help_text = ""
            self.fields["help"].required = True
            self.fields["help"].label = gettext_lazy("Texte affiché")
            self.fields["help"].help_text = ""
            self.fields["help"].widget.attrs["rows"] = 6
        elif field_type in ("section", "page"):
            self.fields["label"].label = gettext_lazy("Titre")
            self.fields["label"].help_text = ""
        elif field_type == "checkbox":
            self.fields["label"].help_text = gettext_lazy(
                "La phrase à côté de la case, par exemple « J'accepte que… »."
            )

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in ADVANCED]

    def advanced_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name in ADVANCED]

    def advanced_is_open(self) -> bool:
        """Show the advanced settings unfolded when one is in error or a format is set."""
        if any(name in self.errors for name in ADVANCED):
            return True
        return "pattern" in self.fields and bool(self["pattern"].value())

    @classmethod
    def initial_from(cls, item: dict[str, Any]) -> dict[str, Any]:
        """The form's initial values for a stored field."""
        return {
            "label": item.get("label", ""),
            "help": item.get("help", ""),
            "name": item.get("name", ""),
            "pattern": item.get("pattern", ""),
            "pattern_message": item.get("pattern_message", ""),
            "choices": choices_as_text(item.get("choices")),
            "required": "yes" if item.get("required") else "no",
            "personal": "yes" if item.get("personal") else "no",
            "max_length": item.get("max_length"),
            "min_value": item.get("min"),
            "max_value": item.get("max"),
            "integer": bool(item.get("integer")),
            "date_range": item.get("date_range", ""),
            "with_coordinates": bool(item.get("with_coordinates")),
            "file_kinds": item.get("file_kinds") or ["image", "pdf"],
            "max_files": item.get("max_files", 5),
            "min_items": item.get("min_items", 0),
            "max_items": item.get("max_items", 10),
        }

    def clean_name(self) -> str:
        name: str = self.cleaned_data.get("name", "").strip()
        if name and not NAME_PATTERN.match(name):
            raise forms.ValidationError(
                _(
                    "Commencez par une lettre minuscule ; ensuite seulement des lettres "
                    "minuscules sans accent, des chiffres et « _ »."
                )
            )
        return name

    def clean_pattern(self) -> str:
        import re

        pattern: str = self.cleaned_data.get("pattern", "")
        if pattern:
            try:
                re.compile(pattern)
            except re.error as error:
                raise forms.ValidationError(
                    _("Cette expression régulière n'est pas valable.")
                ) from error
        return pattern

    def clean_choices(self) -> list[dict[str, str]]:
        text: str = self.cleaned_data.get("choices", "")
        choices: list[dict[str, str]] = []
        seen: dict[str, str] = {}
        problems: list[str] = []
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            if "|" in line:
                value, label = (part.strip() for part in line.split("|", 1))
                label = label or value
            else:
                value, label = choice_value(line), line
            if not value:
                problems.append(
                    _("« %(line)s » ne donne pas de valeur : écrivez « valeur|Libellé ».")
                    % {"line": line}
                )
                continue
            if len(value) > 100 or len(label) > 300:
                problems.append(_("« %(line)s » est trop long.") % {"line": line[:40]})
                continue
            if value in seen:
                problems.append(
                    _("« %(label)s » et « %(other)s » ont la même valeur « %(value)s ».")
                    % {"label": label, "other": seen[value], "value": value}
                )
                continue
            seen[value] = label
            choices.append({"value": value, "label": label})
        if not choices and not problems:
            problems.append(_("Indiquez au moins un choix."))
        if len(choices) > MAX_CHOICES:
            problems.append(_("%(max)d choix au plus.") % {"max": MAX_CHOICES})
        if problems:
            raise forms.ValidationError(problems)
        return choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_value"), data.get("max_value")
        if low is not None and high is not None and low > high:
            self.add_error("max_value", _("Le maximum est plus petit que le minimum."))
        low_items, high_items = data.get("min_items"), data.get("max_items")
        if low_items is not None and high_items is not None and low_items > high_items:
            self.add_error("max_items", _("Le maximum est plus petit que le minimum."))
        if data.get("pattern_message") and not data.get("pattern"):
            self.add_error("pattern", _("Indiquez le format attendu, ou effacez le message."))
        return data

    def to_spec(self) -> dict[str, Any]:
        """The field as the builder stores it (only what applies to its type)."""
        data = self.cleaned_data
        spec: dict[str, Any] = {"type": self.field_type}
        for key in ("label", "help", "name", "pattern", "pattern_message", "date_range"):
            if key in self.fields and data.get(key):
                spec[key] = data[key].strip()
        if "required" in self.fields and data.get("required") == "yes":
            spec["required"] = True
        if "personal" in self.fields:
            answer = data.get("personal") or (
                "yes" if is_personal_by_default(self.field_type) else "no"
            )
            spec["personal"] = answer == "yes"
        if "choices" in self.fields:
            spec["choices"] = data["choices"]
        for form_key, key in (
            ("max_length", "max_length"),
            ("min_value", "min"),
            ("max_value", "max"),
            ("max_files", "max_files"),
            ("min_items", "min_items"),
            ("max_items", "max_items"),
        ):
            if form_key in self.fields and data.get(form_key) is not None:
                value = data[form_key]
                spec[key] = int(value) if float(value).is_integer() else value
        for key in ("integer", "with_coordinates"):
            if key in self.fields and data.get(key):
                spec[key] = True
        if "file_kinds" in self.fields:
            spec["file_kinds"] = [kind for kind, _label in FILE_KINDS if kind in data["file_kinds"]]
        if "first_sub_label" in self.fields:
            label = data["first_sub_label"].strip()
            spec["fields"] = [
                {"type": "text", "name": name_from_label(label, set()), "label": label}
            ]
        return spec


class PositionForm(Form):
    """Where a new field goes."""

    position = forms.TypedChoiceField(
        label=gettext_lazy("Où placer ce champ ?"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, fields: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [(len(fields), _("À la fin"))]
        if fields:
            choices.append((0, _("Au début")))
        for index, item in enumerate(fields[:-1], start=1):
            choices.append((index, _("Après « %(title)s »") % {"title": field_title(item)}))
        self.fields["position"].choices = choices  # type: ignore[attr-defined]
        self.fields["position"].initial = len(fields)


# --- The condition editor ---------------------------------------------------------------------

OPERATORS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "choice": ("equals", "not_equals", "in", "filled", "empty"),
    "multichoice": ("contains", "filled", "empty"),
    "checkbox": ("checked", "not_checked"),
    "number": ("equals", "not_equals", "gt", "lt", "filled", "empty"),
    "file": ("filled", "empty"),
    "repeat": ("filled", "empty"),
}
TEXT_OPERATORS = ("equals", "not_equals", "filled", "empty")
WITH_VALUE = frozenset({"equals", "not_equals", "in", "contains", "gt", "lt"})
GROUP_CHOICES = [
    ("all", gettext_lazy("toutes les conditions suivantes sont remplies (ET)")),
    ("any", gettext_lazy("au moins une des conditions suivantes est remplie (OU)")),
]
MAX_ROWS = 20


def operators_for(item: dict[str, Any] | None) -> tuple[str, ...]:
    if item is None:
        return ()
    return OPERATORS_BY_TYPE.get(str(item.get("type")), TEXT_OPERATORS)


def _choices_of(item: dict[str, Any] | None) -> list[tuple[str, str]]:
    out = []
    for choice in (item or {}).get("choices") or []:
        if isinstance(choice, str):
            out.append((choice, choice))
        elif isinstance(choice, dict):
            value = str(choice.get("value", ""))
            out.append((value, str(choice.get("label") or value)))
    return out


@dataclass
class LeafRow:
    """One condition: field, operator, value (or values for « est l'un de »)."""

    field: str
    op: str
    value: str = ""
    values: list[str] = dataclasses.field(default_factory=list)
    error: str = ""


@dataclass
class GroupRow:
    """A nested group of conditions joined by its own operator."""

    op: str
    rows: list[LeafRow] = dataclasses.field(default_factory=list)
    error: str = ""


@dataclass
class LeafView:
    """What the template needs to draw one condition row."""

    row: LeafRow
    prefix: str
    field_label: str
    operators: list[tuple[str, str]]
    widget: str  # "none", "select", "checkboxes" or "text"
    choices: list[tuple[str, str]]
    remove_action: str


class ConditionEditor:
    """The state of the condition editor: a main group (ET / OU) of conditions and nested groups
    (one level). Read from a condition or from the POST; ``to_condition`` gives the JSON."""

    def __init__(self, drivers: list[dict[str, Any]]) -> None:
        self.drivers = drivers
        self.by_name = {str(item.get("name")): item for item in drivers}
        self.op = "all"
        self.rows: list[LeafRow | GroupRow] = []
        self.errors: list[str] = []
        self.too_complex = False

    # Reading ----------------------------------------------------------------------------------

    @classmethod
    def from_condition(cls, condition: Any, drivers: list[dict[str, Any]]) -> ConditionEditor:
        editor = cls(drivers)
        if not isinstance(condition, dict) or not condition:
            return editor
        group = next((g for g in ("all", "any") if isinstance(condition.get(g), list)), None)
        if group is None:
            editor.rows = [editor._leaf(condition)]
            return editor
        editor.op = group
        for part in condition[group]:
            inner = next((g for g in ("all", "any") if isinstance(part, dict) and g in part), None)
            if inner is None:
                editor.rows.append(editor._leaf(part))
                continue
            parts = part[inner] if isinstance(part[inner], list) else []
            if any(not isinstance(p, dict) or "all" in p or "any" in p for p in parts):
                editor.too_complex = True
                return editor
            editor.rows.append(GroupRow(op=inner, rows=[editor._leaf(p) for p in parts]))
        return editor

    def _leaf(self, part: Any) -> LeafRow:
        part = part if isinstance(part, dict) else {}
        value = part.get("value")
        row = LeafRow(field=str(part.get("field", "")), op=str(part.get("op", "")))
        if isinstance(value, list):
            row.values = [str(item) for item in value]
        elif value is not None:
            row.value = _number_text(value) if isinstance(value, float) else str(value)
        return row

    @classmethod
    def from_post(cls, data: QueryDict, drivers: list[dict[str, Any]]) -> ConditionEditor:
        editor = cls(drivers)
        main = data.get("main-op")
        editor.op = main if main in ("all", "any") else "all"
        for index in range(MAX_ROWS):
            prefix = f"r{index}"
            kind = data.get(f"{prefix}-kind")
            if kind == "leaf":
                editor.rows.append(cls._leaf_from_post(data, prefix))
            elif kind == "group":
                op = data.get(f"{prefix}-op")
                group = GroupRow(op=op if op in ("all", "any") else "any")
                for inner in range(MAX_ROWS):
                    inner_prefix = f"{prefix}-c{inner}"
                    if data.get(f"{inner_prefix}-kind") != "leaf":
                        break
                    group.rows.append(cls._leaf_from_post(data, inner_prefix))
                editor.rows.append(group)
            else:
                break
        return editor

    @staticmethod
    def _leaf_from_post(data: QueryDict, prefix: str) -> LeafRow:
        return LeafRow(
            field=str(data.get(f"{prefix}-field", ""))[:63],
            op=str(data.get(f"{prefix}-op", ""))[:20],
            value=str(data.get(f"{prefix}-value", ""))[:300].strip(),
            values=[str(item)[:300] for item in data.getlist(f"{prefix}-values")][:MAX_CHOICES],
        )

    # Buttons ----------------------------------------------------------------------------------

    def _new_leaf(self, name: str) -> LeafRow | None:
        item = self.by_name.get(name)
        if item is None:
            self.errors.append(_("Choisissez d'abord le champ sur lequel porte la condition."))
            return None
        return LeafRow(field=name, op=operators_for(item)[0])

    def apply(self, action: str, data: QueryDict) -> None:
        """Add or remove a row as the button pressed asks."""
        if action == "add" and len(self.rows) < MAX_ROWS:
            leaf = self._new_leaf(str(data.get("add-main", "")))
            if leaf is not None:
                self.rows.append(leaf)
        elif action == "group" and len(self.rows) < MAX_ROWS:
            self.rows.append(GroupRow(op="any" if self.op == "all" else "all"))
        elif action.startswith("add:"):
            group = self._group(action.removeprefix("add:"))
            if group is not None and len(group.rows) < MAX_ROWS:
                leaf = self._new_leaf(str(data.get(f"add-{action.removeprefix('add:')}", "")))
                if leaf is not None:
                    group.rows.append(leaf)
        elif action.startswith("remove:"):
            parts = action.removeprefix("remove:").split(":")
            if not all(part.isdigit() for part in parts):
                return
            first = int(parts[0])
            if len(parts) == 1 and first < len(self.rows):
                del self.rows[first]
            elif len(parts) == 2:
                group = self._group(f"r{first}")
                if group is not None and int(parts[1]) < len(group.rows):
                    del group.rows[int(parts[1])]

    def _group(self, prefix: str) -> GroupRow | None:
        if not prefix.startswith("r") or not prefix[1:].isdigit():
            return None
        index = int(prefix[1:])
        row = self.rows[index] if index < len(self.rows) else None
        return row if isinstance(row, GroupRow) else None

    # Writing ----------------------------------------------------------------------------------

    def _leaf_condition(self, row: LeafRow) -> dict[str, Any] | None:
        item = self.by_name.get(row.field)
        if item is None:
            row.error = _(
                "Ce champ ne peut pas servir ici : une condition porte sur un champ placé avant."
            )
            return None
        if row.op not in operators_for(item):
            row.error = _("Choisissez une comparaison dans la liste proposée pour ce champ.")
            return None
        leaf: dict[str, Any] = {"field": row.field, "op": row.op}
        if row.op not in WITH_VALUE:
            return leaf
        choices = dict(_choices_of(item))
        if row.op == "in":
            values = row.values or ([row.value] if row.value else [])
            if not values:
                row.error = _("Cochez au moins une valeur.")
                return None
            if choices and any(value not in choices for value in values):
                row.error = _("Choisissez les valeurs parmi les choix de ce champ.")
                return None
            leaf["value"] = values
            return leaf
        value = row.value or (row.values[0] if row.values else "")
        if not value:
            row.error = _("Indiquez la valeur.")
            return None
        if choices and value not in choices:
            row.error = _("Choisissez la valeur parmi les choix de ce champ.")
            return None
        if item.get("type") == "number":
            try:
                number = float(value.replace(" ", "").replace(",", "."))
            except ValueError:
                row.error = _("Indiquez un nombre (exemple : 12 ou 12,5).")
                return None
            leaf["value"] = int(number) if number.is_integer() else number
            return leaf
        leaf["value"] = value
        return leaf

    def to_condition(self) -> dict[str, Any] | None:
        """The condition JSON (``None`` when there is no row); check ``is_valid`` after."""
        parts: list[dict[str, Any]] = []
        for row in self.rows:
            if isinstance(row, LeafRow):
                leaf = self._leaf_condition(row)
                if leaf is not None:
                    parts.append(leaf)
                continue
            if not row.rows:
                row.error = _("Ce groupe est vide : ajoutez-y une condition ou retirez-le.")
                continue
            inner = [self._leaf_condition(leaf_row) for leaf_row in row.rows]
            if all(item is not None for item in inner):
                parts.append({row.op: inner})
        if not self.is_valid:
            return None
        if not parts:
            return None
        if len(parts) == 1 and "field" in parts[0]:
            return parts[0]
        return {self.op: parts}

    @property
    def is_valid(self) -> bool:
        if self.errors:
            return False
        for row in self.rows:
            if row.error:
                return False
            if isinstance(row, GroupRow) and any(leaf.error for leaf in row.rows):
                return False
        return True

    # Drawing ----------------------------------------------------------------------------------

    def leaf_view(self, row: LeafRow, prefix: str, remove_action: str) -> LeafView:
        item = self.by_name.get(row.field)
        operators = list(operators_for(item))
        if row.op and row.op not in operators:
            operators.append(row.op)
        choices = _choices_of(item)
        if not any(op in WITH_VALUE for op in operators):
            widget = "none"
        elif choices:
            widget = "checkboxes" if row.op == "in" else "select"
        else:
            widget = "text"
        return LeafView(
            row=row,
            prefix=prefix,
            field_label=field_title(item) if item else row.field,
            operators=[(op, str(OPERATOR_LABELS.get(op, op))) for op in operators],
            widget=widget,
            choices=choices,
            remove_action=remove_action,
        )

    def display(self) -> list[dict[str, Any]]:
        """Rows ready for the template, with their input names."""
        out: list[dict[str, Any]] = []
        groups = 0
        for index, row in enumerate(self.rows):
            prefix = f"r{index}"
            if isinstance(row, LeafRow):
                out.append({"kind": "leaf", "leaf": self.leaf_view(row, prefix, f"remove:{index}")})
                continue
            groups += 1
            out.append(
                {
                    "kind": "group",
                    "prefix": prefix,
                    "group": row,
                    "number": groups,
                    "remove_action": f"remove:{index}",
                    "add_action": f"add:{prefix}",
                    "leaves": [
                        self.leaf_view(leaf, f"{prefix}-c{inner}", f"remove:{index}:{inner}")
                        for inner, leaf in enumerate(row.rows)
                    ],
                }
            )
        return out

    def driver_choices(self) -> list[tuple[str, str]]:
        return [(str(item.get("name")), field_title(item)) for item in self.drivers]


# --- Advanced: the form as JSON -----------------------------------------------------------------

MAX_JSON_BYTES = 1024 * 1024


class SchemaUploadForm(Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier JSON du formulaire"),
        required=False,
        help_text=gettext_lazy("Un fichier .json d'au plus 1 Mo."),
    )
    text = forms.CharField(
        label=gettext_lazy("Ou collez le JSON ici"),
        required=False,
        max_length=MAX_JSON_BYTES,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        raw: str
        if upload is not None:
            if upload.size > MAX_JSON_BYTES:
                self.add_error("file", _("Ce fichier dépasse 1 Mo."))
                return data
            try:
                raw = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("Ce fichier n'est pas du texte UTF-8."))
                return data
            where = "file"
        elif data.get("text"):
            raw, where = data["text"], "text"
        else:
            raise forms.ValidationError(_("Choisissez un fichier ou collez le JSON."))
        try:
            data["schema"] = json.loads(raw)
        except json.JSONDecodeError as error:
            self.add_error(
                where,
                _("JSON mal formé, ligne %(line)d, colonne %(column)d : %(message)s.")
                % {"line": error.lineno, "column": error.colno, "message": error.msg},
            )
        return data


# --- Procedure settings -------------------------------------------------------------------------


class ProcedureSettingsForm(Form):
    title = forms.CharField(label=gettext_lazy("Titre de la démarche"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Présentation"),
        required=False,
        max_length=TEXT_SETTINGS["description"],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Affichée aux usagers avant le formulaire."),
    )
    service_name = forms.CharField(
        label=gettext_lazy("Service chargé du dossier"), required=False, max_length=200
    )
    service_address = forms.CharField(
        label=gettext_lazy("Adresse postale du service"),
        required=False,
        max_length=TEXT_SETTINGS["service_address"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    service_email = forms.EmailField(
        label=gettext_lazy("Adresse électronique du service"), required=False, max_length=254
    )
    service_phone = forms.CharField(
        label=gettext_lazy("Téléphone du service"), required=False, max_length=30
    )
    silence_rule = forms.ChoiceField(
        label=gettext_lazy("Sens du silence de l'administration"),
        choices=SilenceRule.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "En principe, le silence gardé vaut acceptation (CRPA L231-1), sauf exceptions "
            "prévues par les textes."
        ),
    )
    silence_delay_months = forms.IntegerField(
        label=gettext_lazy("Délai de la décision implicite (mois)"),
        min_value=NUMBER_SETTINGS["silence_delay_months"][0],
        max_value=NUMBER_SETTINGS["silence_delay_months"][1],
        help_text=gettext_lazy("Deux mois dans le cas général."),
    )
    processing_days = forms.IntegerField(
        label=gettext_lazy("Délai de traitement visé (jours)"),
        min_value=NUMBER_SETTINGS["processing_days"][0],
        max_value=NUMBER_SETTINGS["processing_days"][1],
        help_text=gettext_lazy("Sert à fixer l'échéance de chaque demande reçue."),
    )
    appeal_routes = forms.CharField(
        label=gettext_lazy("Voies et délais de recours"),
        required=False,
        max_length=TEXT_SETTINGS["appeal_routes"],
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    acknowledgment_text = forms.CharField(
        label=gettext_lazy("Texte de l'accusé de réception"),
        required=False,
        max_length=TEXT_SETTINGS["acknowledgment_text"],
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("Base légale"),
        required=False,
        max_length=TEXT_SETTINGS["legal_basis"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    retention_months = forms.IntegerField(
        label=gettext_lazy("Durée de conservation après la clôture (mois)"),
        min_value=NUMBER_SETTINGS["retention_months"][0],
        max_value=NUMBER_SETTINGS["retention_months"][1],
        help_text=gettext_lazy(
            "Ensuite, les données personnelles de la demande sont effacées. Une durée plus "
            "courte ne vaut que pour les demandes clôturées à partir de maintenant."
        ),
    )

    GROUPS = (
        (gettext_lazy("La démarche"), ("title", "description", "legal_basis")),
        (
            gettext_lazy("Le service qui traite les demandes (mentions de l'accusé de réception)"),
            ("service_name", "service_address", "service_email", "service_phone"),
        ),
        (
            gettext_lazy("Délais et recours"),
            (
                "silence_rule",
                "silence_delay_months",
                "processing_days",
                "appeal_routes",
                "acknowledgment_text",
            ),
        ),
        (gettext_lazy("Conservation des données"), ("retention_months",)),
    )

    def grouped(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]


class StatusForm(Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        required=False,
        max_length=40,
        help_text=gettext_lazy(
            "Laissez vide pour un nouveau statut : il est fait à partir du libellé."
        ),
    )
    label = forms.CharField(label=gettext_lazy("Libellé vu par l'usager"), max_length=100)
    # The empty choice keeps a blank extra row unchanged (so ignored) when the page is sent.
    kind = forms.ChoiceField(
        label=gettext_lazy("Nature"),
        choices=[("", gettext_lazy("— Choisissez —")), *StatusKind.choices],
    )


class BaseStatusFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["ORDER"].label = _("Position dans la liste")
        form.fields["ORDER"].help_text = _(
            "1 pour le premier ; laissez vide pour le mettre à la fin."
        )
        form.fields["DELETE"].label = _("Retirer ce statut")

    def statuses(self) -> list[dict[str, str]]:
        """The statuses kept, in the order given, with a code made for the new ones."""
        rows = []
        for form in self.ordered_forms if self.can_order else self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            rows.append(data)
        taken = {row["code"].strip() for row in rows if row.get("code")}
        statuses = []
        for row in rows:
            code = row.get("code", "").strip()
            if not code:
                code = name_from_label(row["label"], taken)[:40]
                taken.add(code)
            statuses.append({"code": code, "label": row["label"].strip(), "kind": row["kind"]})
        return statuses


StatusFormSet = forms.formset_factory(
    StatusForm, formset=BaseStatusFormSet, extra=2, can_delete=True, can_order=True, max_num=20
)
