"""Showing a form as HTML fields, and reading the answers back from a POST.

Used by the citizen's multi-page form, the agent's counter entry (the whole form on one page) and
the builder's preview. Rendering is plain data (:class:`PageView`, :class:`FieldView`) that the
templates under ``demarches/form/`` turn into accessible HTML, with no JavaScript needed:

- A form is split at its page breaks. Conditions that depend on answers of *earlier* pages are
  evaluated on the server: a hidden field is not rendered at all. A field whose condition depends
  on a field of the *same* page is rendered with a hint "(à remplir seulement si …)" and ignored
  by validation when its condition does not hold; ``static/demarches/conditions.js`` hides and
  shows it live where JavaScript runs (progressive enhancement only).
- A repeatable block shows a fixed number of item fieldsets; an "add one more item" submit button
  asks the server for one more.
- Answers are read back into the shapes :func:`validate_submission` accepts, *raw* (what was
  typed, not cleaned), so that a draft keeps exactly what the citizen entered. Files are not
  stored here: :func:`read_answers` lists the uploads, the caller checks and stores them, then
  calls :func:`attach_files`.

Input names are prefixed (``field-<name>``, ``field-<repeat>-<n>-<name>``, ``field-<name>-text``)
so that they never collide with the page's own controls.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from clocher.demarches.formschema.conditions import evaluate
from clocher.demarches.formschema.schema import FieldSpec, FormSchema
from clocher.demarches.formschema.validation import MAX_STRING

PREFIX = "field-"
RADIO_MAX_CHOICES = 6
TEXT_INPUT_TYPES = {"text": "text", "number": "text", "date": "date", "email": "email"}
ACCEPT = {
    "image": "image/jpeg,image/png,image/webp,.jpg,.jpeg,.png,.webp",
    "pdf": "application/pdf,.pdf",
}
KIND_NAMES = {"image": "JPEG, PNG, WebP", "pdf": "PDF"}
ADD_ITEM = "add_item"
REMOVE_ITEM = "remove_item"


# --- Conditions: evaluated now, or left to the page ------------------------------------------


def _residual(
    condition: dict[str, Any] | None, values: dict[str, Any], pending: set[str]
) -> tuple[bool | None, dict[str, Any] | None]:
    """Evaluate ``condition`` where it can be: True/False, or None with the part still open
    (the leaves on ``pending`` fields, answered on this very page)."""
    if not condition:
        return True, None
    for group in ("all", "any"):
        if group in condition:
            open_parts = []
            for part in condition[group]:
                state, rest = _residual(part, values, pending)
                if group == "all" and state is False:
                    return False, None
                if group == "any" and state is True:
                    return True, None
                if state is None and rest is not None:
                    open_parts.append(rest)
            if not open_parts:
                return group == "all", None
            if len(open_parts) == 1:
                return None, open_parts[0]
            return None, {group: open_parts}
    if condition.get("field") in pending:
        return None, condition
    return evaluate(condition, values), None


def _combine(*conditions: dict[str, Any] | None) -> dict[str, Any] | None:
    present = [condition for condition in conditions if condition]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return {"all": present}


def describe_condition(condition: dict[str, Any] | None, schema: FormSchema) -> str:
    """The condition in plain French: « Sujet » est « Voirie » et la case « Urgent » est cochée."""
    if not condition:
        return ""
    for group, joiner in (("all", _(" et ")), ("any", _(" ou "))):
        if group in condition:
            parts = []
            for part in condition[group]:
                text = describe_condition(part, schema)
                parts.append(f"({text})" if ("all" in part or "any" in part) else text)
            return joiner.join(parts)
    specs = _all_specs(schema)
    name = str(condition.get("field", ""))
    spec = specs.get(name)
    label = spec.label if spec else name
    expected = condition.get("value")

    def shown(value: Any) -> str:
        text = spec.choice_label(str(value)) if spec else str(value)
        return f"« {text} »"

    operator = condition.get("op")
    field_label = f"« {label} »"
    if operator == "equals":
        return _("%(field)s est %(value)s") % {"field": field_label, "value": shown(expected)}
    if operator == "not_equals":
        return _("%(field)s n'est pas %(value)s") % {"field": field_label, "value": shown(expected)}
    if operator == "in":
        options = expected if isinstance(expected, list) else [expected]
        return _("%(field)s est %(values)s") % {
            "field": field_label,
            "values": _(" ou ").join(shown(option) for option in options),
        }
    if operator == "contains":
        return _("%(field)s comprend %(value)s") % {"field": field_label, "value": shown(expected)}
    if operator == "checked":
        return _("la case %(field)s est cochée") % {"field": field_label}
    if operator == "not_checked":
        return _("la case %(field)s n'est pas cochée") % {"field": field_label}
    if operator == "filled":
        return _("%(field)s est rempli") % {"field": field_label}
    if operator == "empty":
        return _("%(field)s est vide") % {"field": field_label}
    if operator == "gt":
        return _("%(field)s est supérieur à %(value)s") % {"field": field_label, "value": expected}
    if operator == "lt":
        return _("%(field)s est inférieur à %(value)s") % {"field": field_label, "value": expected}
    return field_label


def _all_specs(schema: FormSchema) -> dict[str, FieldSpec]:
    specs = dict(schema.by_name())
    for spec in schema.fields:
        for sub in spec.fields:
            specs.setdefault(sub.name, sub)
    return specs


# --- What the templates render ----------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    id: str
    is_selected: bool


@dataclass
class AttachedFile:
    id: str
    name: str
    size: int

    @property
    def size_text(self) -> str:
        return str(filesizeformat(self.size))


@dataclass
class RepeatItem:
    position: int
    legend: str
    fields: list[FieldView]
    remove_value: str
    can_remove: bool


@dataclass
class FieldView:
    spec: FieldSpec
    name: str  # the input's name in the POST
    id: str
    value: Any = None  # raw answer: a string, a list, a bool, an address dict, file refs
    errors: list[str] = field(default_factory=list)
    hint: str = ""  # "(à remplir seulement si …)" when a condition on this page applies
    condition: str = ""  # that condition as JSON, for the progressive-enhancement script
    scope: str = ""  # input-name prefix of the repeat item the condition may refer to
    items: list[RepeatItem] = field(default_factory=list)
    heading_level: int = 3
    read_only: bool = False

    @property
    def type(self) -> str:
        return self.spec.type

    @property
    def template_name(self) -> str:
        kind = self.spec.type
        if kind in ("text", "textarea", "number", "date", "email", "phone"):
            kind = "input"
        return f"demarches/form/field_{kind}.html"

    @property
    def input_type(self) -> str:
        return "tel" if self.spec.type == "phone" else TEXT_INPUT_TYPES.get(self.spec.type, "text")

    @property
    def input_mode(self) -> str:
        if self.spec.type == "number":
            return "numeric" if self.spec.integer else "decimal"
        return ""

    @property
    def autocomplete(self) -> str:
        return {"email": "email", "phone": "tel"}.get(self.spec.type, "")

    @property
    def text_value(self) -> str:
        value = self.value
        if value is None or isinstance(value, bool | list | dict):
            return ""
        return str(value)

    @property
    def help_id(self) -> str:
        return f"{self.id}-help"

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def described_by(self) -> str:
        ids = []
        if self.spec.help or self.spec.type == "file":
            ids.append(self.help_id)
        if self.hint:
            ids.append(self.hint_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)

    @property
    def uses_radios(self) -> bool:
        return len(self.spec.choices) <= RADIO_MAX_CHOICES

    @property
    def options(self) -> list[Option]:
        if self.spec.type == "multichoice":
            selected = {str(item) for item in self.value} if isinstance(self.value, list) else set()
        else:
            selected = {self.text_value}
        return [
            Option(
                value=choice.value,
                label=choice.label,
                id=f"{self.id}-{position}",
                is_selected=choice.value in selected,
            )
            for position, choice in enumerate(self.spec.choices, start=1)
        ]

    @property
    def is_checked(self) -> bool:
        return self.value is True

    @property
    def address_text(self) -> str:
        return str(self.value.get("text") or "") if isinstance(self.value, dict) else ""

    @property
    def latitude(self) -> str:
        return str(self.value.get("latitude") or "") if isinstance(self.value, dict) else ""

    @property
    def longitude(self) -> str:
        return str(self.value.get("longitude") or "") if isinstance(self.value, dict) else ""

    @property
    def files(self) -> list[AttachedFile]:
        return [
            AttachedFile(id=ref["file"], name=ref.get("name") or "", size=ref.get("size") or 0)
            for ref in _file_refs(self.value)
        ]

    @property
    def accept(self) -> str:
        return ",".join(ACCEPT[kind] for kind in self.spec.file_kinds if kind in ACCEPT)

    @property
    def file_help(self) -> str:
        """Stated BEFORE upload: the accepted formats, the size limit, and that photos shrink."""
        kinds = ", ".join(KIND_NAMES[kind] for kind in self.spec.file_kinds if kind in KIND_NAMES)
        text = _("Formats acceptés : %(kinds)s. Taille maximale : %(limit)s par fichier.") % {
            "kinds": kinds,
            "limit": filesizeformat(int(settings.UPLOAD_MAX_BYTES)),
        }
        if "image" in self.spec.file_kinds:
            text += " " + _(
                "Une photo plus lourde n'est pas refusée : elle est réduite automatiquement."
            )
        if self.spec.max_files > 1:
            text += " " + _("Jusqu'à %(count)d fichiers.") % {"count": self.spec.max_files}
        return text

    @property
    def allows_several_files(self) -> bool:
        return self.spec.max_files > 1

    @property
    def keep_name(self) -> str:
        return f"{self.name}-keep"

    @property
    def count_name(self) -> str:
        return f"{self.name}-count"

    @property
    def can_add_item(self) -> bool:
        return len(self.items) < self.spec.max_items


@dataclass
class PageView:
    """One page of the form (or the whole form, for the counter) ready to render."""

    index: int
    count: int  # pages in the form
    title: str
    fields: list[FieldView]
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def has_files(self) -> bool:
        return any(
            view.type == "file" or any(sub.type == "file" for sub in view.spec.fields)
            for view in self.fields
        )

    @property
    def has_live_conditions(self) -> bool:
        return any(view.condition for view in self._every_view())

    @property
    def error_links(self) -> list[tuple[str, str, str]]:
        """(anchor id, label, message) for the error summary, in the order of the page."""
        links = []
        for view in self._every_view():
            for message in view.errors:
                links.append((view.id, view.spec.label, message))
        return links

    def _every_view(self) -> list[FieldView]:
        out = []
        for view in self.fields:
            out.append(view)
            for item in view.items:
                out.extend(item.fields)
        return out

    @property
    def general_errors(self) -> list[str]:
        return list(self.errors.get("__all__", []))

    @property
    def input_names(self) -> set[str]:
        return {view.spec.name for view in self.fields if view.spec.has_value}


def _id(name: str) -> str:
    return name.replace("_", "-")


def _errors_for(errors: dict[str, list[str]], key: str) -> list[str]:
    return list(errors.get(key, []))


def _build_view(
    spec: FieldSpec,
    *,
    schema: FormSchema,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    pending: set[str],
    condition: dict[str, Any] | None,
    name: str,
    error_key: str,
    scope: str = "",
    heading_level: int = 3,
) -> FieldView | None:
    state, rest = _residual(condition, values, pending)
    if state is False:
        return None
    view = FieldView(
        spec=spec,
        name=name,
        id=_id(name),
        value=values.get(spec.name),
        errors=_errors_for(errors, error_key),
        scope=scope,
        heading_level=heading_level,
    )
    if rest is not None:
        described = describe_condition(rest, schema)
        if spec.has_value:
            view.hint = _("(à remplir seulement si %(condition)s)") % {"condition": described}
        else:
            view.hint = _("(seulement si %(condition)s)") % {"condition": described}
        view.condition = json.dumps(rest, ensure_ascii=False)
    if spec.type == "repeat":
        view.items = _repeat_items(spec, view, schema, values, errors, pending, error_key)
    return view


def _repeat_items(
    spec: FieldSpec,
    view: FieldView,
    schema: FormSchema,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    pending: set[str],
    error_key: str,
) -> list[RepeatItem]:
    raw_items = values.get(spec.name)
    stored = [item for item in raw_items if isinstance(item, dict)] if raw_items else []
    count = max(len(stored), spec.min_items, 1)
    count = min(count, spec.max_items) if spec.max_items else count
    sub_pending = pending | {sub.name for sub in spec.fields}
    items = []
    for position in range(1, count + 1):
        item_values = stored[position - 1] if position <= len(stored) else {}
        scope = f"{view.name}-{position}-"
        fields = []
        for sub in spec.fields:
            sub_view = _build_view(
                sub,
                schema=schema,
                values={**values, **item_values},
                errors=errors,
                pending=sub_pending,
                condition=sub.condition,
                name=f"{scope}{sub.name}",
                error_key=f"{error_key}.{position}.{sub.name}",
                scope=scope,
            )
            if sub_view is not None:
                fields.append(sub_view)
        items.append(
            RepeatItem(
                position=position,
                legend=_("%(label)s — n° %(position)d")
                % {"label": spec.label, "position": position},
                fields=fields,
                remove_value=f"{spec.name}-{position}",
                can_remove=count > max(spec.min_items, 1),
            )
        )
    return items


def page_count(schema: FormSchema) -> int:
    return len(schema.pages())


def page_is_shown(schema: FormSchema, index: int, values: dict[str, Any]) -> bool:
    """A page whose page break carries a condition that does not hold is skipped."""
    pages = schema.pages()
    if not 0 <= index < len(pages):
        return False
    first = pages[index][0] if pages[index] else None
    if first is None or first.type != "page":
        return True
    return evaluate(first.condition, values)


def next_page(schema: FormSchema, index: int, values: dict[str, Any]) -> int | None:
    """The next page to show after ``index``, or None when the form is done."""
    for candidate in range(index + 1, page_count(schema)):
        if page_is_shown(schema, candidate, values):
            return candidate
    return None


def previous_page(schema: FormSchema, index: int, values: dict[str, Any]) -> int | None:
    for candidate in range(min(index, page_count(schema)) - 1, -1, -1):
        if page_is_shown(schema, candidate, values):
            return candidate
    return None


def page_view(
    schema: FormSchema,
    index: int,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    *,
    read_only: bool = False,
) -> PageView:
    """Page ``index`` of the form, for the answers given so far (and errors to show).

    ``read_only`` disables every input and button (the builder's preview)."""
    pages = schema.pages()
    index = max(0, min(index, len(pages) - 1))
    specs = pages[index]
    pending = {spec.name for spec in specs if spec.has_value}
    view = _view_of(schema, specs, values, errors or {}, pending, index=index, one_page=False)
    return _set_read_only(view) if read_only else view


def whole_form_view(
    schema: FormSchema,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    *,
    read_only: bool = False,
) -> PageView:
    """Every field on one page (counter entry, builder preview): every condition stays live."""
    pending = {spec.name for spec in schema.fields if spec.has_value}
    view = _view_of(
        schema, list(schema.fields), values, errors or {}, pending, index=0, one_page=True
    )
    return _set_read_only(view) if read_only else view


def _set_read_only(view: PageView) -> PageView:
    for field_view in view._every_view():
        field_view.read_only = True
    return view


def _view_of(
    schema: FormSchema,
    specs: list[FieldSpec],
    values: dict[str, Any],
    errors: dict[str, list[str]],
    pending: set[str],
    *,
    index: int,
    one_page: bool,
) -> PageView:
    title = ""
    fields: list[FieldView] = []
    page_condition: dict[str, Any] | None = None
    section_condition: dict[str, Any] | None = None
    for spec in specs:
        if spec.type == "page":
            page_condition = spec.condition
            section_condition = None
            if not one_page:
                title = spec.label  # the page break's label is the page's heading
                continue
            view = _build_view(
                spec,
                schema=schema,
                values=values,
                errors=errors,
                pending=pending,
                condition=page_condition,
                name=f"{PREFIX}{spec.name}",
                error_key=spec.name,
                heading_level=2,
            )
        elif spec.type == "section":
            section_condition = spec.condition
            view = _build_view(
                spec,
                schema=schema,
                values=values,
                errors=errors,
                pending=pending,
                condition=_combine(page_condition if one_page else None, section_condition),
                name=f"{PREFIX}{spec.name}",
                error_key=spec.name,
                heading_level=3,
            )
        else:
            view = _build_view(
                spec,
                schema=schema,
                values=values,
                errors=errors,
                pending=pending,
                condition=_combine(
                    page_condition if one_page else None, section_condition, spec.condition
                ),
                name=f"{PREFIX}{spec.name}",
                error_key=spec.name,
            )
        if view is not None:
            fields.append(view)
    shown_names = {view.spec.name for view in fields}
    page_errors = {
        key: messages
        for key, messages in errors.items()
        if key.split(".", 1)[0] in shown_names or key == "__all__"
    }
    return PageView(
        index=index,
        count=1 if one_page else page_count(schema),
        title=title,
        fields=fields,
        errors=page_errors,
    )


# --- Reading a POST back ----------------------------------------------------------------------


@dataclass
class PendingUpload:
    """A file sent with the page, not yet checked: stored by the caller, then attached."""

    key: str  # the answer it belongs to: "photo" or "children.2.certificate"
    spec: FieldSpec
    upload: UploadedFile


@dataclass
class Answers:
    values: dict[str, Any]  # raw answers of the page's fields, in validate_submission's shapes
    uploads: list[PendingUpload]
    focus: str = ""  # the repeat block an add/remove button was pressed on


def _text(post: Any, name: str) -> str:
    value = post.get(name, "")
    return value[: MAX_STRING + 1] if isinstance(value, str) else ""


def _file_refs(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [ref for ref in value if isinstance(ref, dict) and isinstance(ref.get("file"), str)]


def _all_file_refs(value: Any) -> dict[str, dict[str, Any]]:
    """Every file reference found anywhere in ``value`` (answers of a draft), by file id."""
    found: dict[str, dict[str, Any]] = {}
    if isinstance(value, dict):
        if isinstance(value.get("file"), str) and "size" in value:
            found[value["file"]] = value
        else:
            for item in value.values():
                found.update(_all_file_refs(item))
    elif isinstance(value, list):
        for item in value:
            found.update(_all_file_refs(item))
    return found


def file_ids(values: dict[str, Any]) -> set[str]:
    """The vault file ids a set of answers refers to."""
    return set(_all_file_refs(values))


def _is_blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_is_blank(item) for item in value.values())
    return value in (None, "", [], False)


def _read_one(
    spec: FieldSpec,
    name: str,
    key: str,
    post: Any,
    files: Any,
    known_files: dict[str, dict[str, Any]],
    uploads: list[PendingUpload],
) -> Any:
    kind = spec.type
    if kind in ("text", "textarea", "number", "date", "email", "phone", "choice"):
        return _text(post, name)
    if kind == "multichoice":
        return [item[:200] for item in post.getlist(name) if isinstance(item, str)][:100]
    if kind == "checkbox":
        return name in post
    if kind == "address":
        address = {"text": _text(post, f"{name}-text")}
        if spec.with_coordinates:
            address["latitude"] = _text(post, f"{name}-latitude")[:40]
            address["longitude"] = _text(post, f"{name}-longitude")[:40]
        return None if _is_blank(address) else address
    if kind == "file":
        # Files already attached stay while their "keep" box is ticked; an id that this draft
        # does not hold is ignored, so a forged id never attaches someone else's file.
        kept = [known_files[item] for item in post.getlist(f"{name}-keep") if item in known_files]
        for upload in files.getlist(name) if files is not None else []:
            if getattr(upload, "size", 0) or getattr(upload, "name", ""):
                uploads.append(PendingUpload(key=key, spec=spec, upload=upload))
        return kept
    return None


def read_answers(
    view: PageView, post: Any, files: Any = None, *, previous: dict[str, Any] | None = None
) -> Answers:
    """The answers to the fields rendered in ``view``, read from ``post`` (a QueryDict).

    Only the rendered fields are read: a field hidden by an earlier answer keeps its value.
    ``previous`` are the answers saved so far (to keep attached files).
    """
    known_files = _all_file_refs(previous or {})
    uploads: list[PendingUpload] = []
    values: dict[str, Any] = {}
    focus = ""
    add = post.get(ADD_ITEM, "")
    remove = post.get(REMOVE_ITEM, "")
    for view_field in view.fields:
        spec = view_field.spec
        if not spec.has_value:
            continue
        if spec.type != "repeat":
            values[spec.name] = _read_one(
                spec, view_field.name, spec.name, post, files, known_files, uploads
            )
            continue
        try:
            count = int(post.get(view_field.count_name, "") or len(view_field.items))
        except ValueError:
            count = len(view_field.items)
        count = max(0, min(count, spec.max_items))
        items: list[dict[str, Any]] = []
        for position in range(1, count + 1):
            if remove == f"{spec.name}-{position}":
                focus = spec.name
                continue
            scope = f"{view_field.name}-{position}-"
            prefix = f"{spec.name}.{len(items) + 1}"
            first_upload = len(uploads)
            item = {}
            for sub in spec.fields:
                if sub.has_value:
                    item[sub.name] = _read_one(
                        sub,
                        f"{scope}{sub.name}",
                        f"{prefix}.{sub.name}",
                        post,
                        files,
                        known_files,
                        uploads,
                    )
            if len(uploads) > first_upload or not _is_blank(item):
                items.append(item)
        if add == spec.name:
            focus = spec.name
            if len(items) < spec.max_items:
                items.append({})
        values[spec.name] = items
    return Answers(values=values, uploads=uploads, focus=focus)


def attach_files(values: dict[str, Any], key: str, refs: list[dict[str, Any]]) -> None:
    """Add stored files (``{"file", "name", "size"}``) to the answer at ``key``."""
    parts = key.split(".")
    if len(parts) == 1:
        current = values.get(key)
        values[key] = [*(_file_refs(current)), *refs]
        return
    repeat, position, sub = parts[0], int(parts[1]), parts[2]
    items = values.get(repeat)
    if not isinstance(items, list) or not 1 <= position <= len(items):
        return
    item = items[position - 1]
    item[sub] = [*(_file_refs(item.get(sub))), *refs]


def for_submission(schema: FormSchema, values: dict[str, Any]) -> dict[str, Any]:
    """The saved answers as a submission: known fields only, blank repeat items dropped."""
    out: dict[str, Any] = {}
    for spec in schema.input_fields():
        if spec.name not in values:
            continue
        value = values[spec.name]
        if spec.type == "repeat" and isinstance(value, list):
            value = [item for item in value if not _is_blank(item)]
        out[spec.name] = value
    return out


def errors_on_page(view: PageView, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The errors that concern the fields of ``view``."""
    names = view.input_names
    return {key: messages for key, messages in errors.items() if key.split(".", 1)[0] in names}


# --- Reading answers back to a person (summary, tracking page, counter result) -----------------


@dataclass
class AnswerRow:
    label: str
    text: str
    files: list[AttachedFile] = field(default_factory=list)
    items: list[list[AnswerRow]] = field(default_factory=list)  # a repeat block's items


@dataclass
class AnswerGroup:
    title: str  # the page or section heading, "" before the first one
    rows: list[AnswerRow]
    page_index: int  # the page these answers are on (for "modifier" links)


def _display(spec: FieldSpec, value: Any) -> str:
    if value in (None, "", []):
        return _("Non renseigné")
    kind = spec.type
    if kind == "choice":
        return spec.choice_label(str(value))
    if kind == "multichoice" and isinstance(value, list):
        return ", ".join(spec.choice_label(str(item)) for item in value)
    if kind == "checkbox":
        return _("Oui") if value is True else _("Non")
    if kind == "date" and isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    if kind == "address" and isinstance(value, dict):
        text = str(value.get("text") or "")
        if value.get("latitude") not in (None, "") and value.get("longitude") not in (None, ""):
            position = _("position %(lat)s ; %(lon)s") % {
                "lat": value["latitude"],
                "lon": value["longitude"],
            }
            text = f"{text} ({position})" if text else position
        return text or _("Non renseigné")
    if kind == "file":
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _row(spec: FieldSpec, value: Any, context: dict[str, Any]) -> AnswerRow:
    if spec.type == "file":
        files = [
            AttachedFile(id=ref["file"], name=ref.get("name") or "", size=ref.get("size") or 0)
            for ref in _file_refs(value)
        ]
        return AnswerRow(label=spec.label, text="" if files else _("Aucun fichier"), files=files)
    if spec.type == "repeat":
        items = []
        for item in value if isinstance(value, list) else []:
            if not isinstance(item, dict) or _is_blank(item):
                continue
            scope = {**context, **item}
            items.append(
                [
                    _row(sub, item.get(sub.name), scope)
                    for sub in spec.fields
                    if sub.has_value and evaluate(sub.condition, scope)
                ]
            )
        return AnswerRow(label=spec.label, text="" if items else _("Aucun"), items=items)
    return AnswerRow(label=spec.label, text=_display(spec, value))


def answer_groups(
    schema: FormSchema, values: dict[str, Any], *, erased: bool = False
) -> list[AnswerGroup]:
    """The answers of the fields shown for ``values``, grouped under their page or section.

    ``erased``: the personal values were wiped (anonymised request); their fields say so."""
    from clocher.demarches.formschema.conditions import visible_fields

    shown = {id(spec) for spec in visible_fields(schema, values)}
    groups: list[AnswerGroup] = []
    for page_index, specs in enumerate(schema.pages()):
        for spec in specs:
            if id(spec) not in shown:
                continue
            if spec.type in ("page", "section"):
                groups.append(AnswerGroup(title=spec.label, rows=[], page_index=page_index))
                continue
            if not spec.has_value:
                continue
            if not groups:
                groups.append(AnswerGroup(title="", rows=[], page_index=page_index))
            if erased and spec.personal:
                groups[-1].rows.append(AnswerRow(label=spec.label, text=_("Effacé")))
                continue
            groups[-1].rows.append(_row(spec, values.get(spec.name), values))
    return [group for group in groups if group.rows]


def documents_to_prepare(schema: FormSchema) -> list[str]:
    """The documents a form asks for (its file fields), said before starting."""
    out = []
    page_condition: dict[str, Any] | None = None
    section_condition: dict[str, Any] | None = None
    for spec in schema.fields:
        if spec.type == "page":
            page_condition, section_condition = spec.condition, None
        elif spec.type == "section":
            section_condition = spec.condition
        outer = _combine(page_condition, section_condition, spec.condition)
        for candidate in (spec, *spec.fields):
            if candidate.type != "file":
                continue
            text = candidate.label
            if outer or candidate.condition:
                text += " " + _("(selon vos réponses)")
            elif not candidate.required:
                text += " " + _("(facultatif)")
            out.append(text)
    return out
