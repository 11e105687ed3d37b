"""The form builder's pages: the commune's agents edit a procedure's form, preview every
conditional path, and publish it.

Every page works without JavaScript: each change is a POST that calls one service of
``services/builder.py`` then redirects back (PRG) with a message; a refusal re-renders the page
with the messages, what was typed kept. Edits go to the procedure's draft (created on the first
change); citizens keep seeing the published version until the draft is published.

A field of a repeatable block is addressed in URLs as ``<block>.<field>``. Needs
MANAGE_PROCEDURES; the URL registry hands the view the commune's procedure (else 404).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clocher.demarches.forms_builder import (
    FIELD_TYPE_HINTS,
    GROUP_CHOICES,
    ConditionEditor,
    FieldForm,
    PositionForm,
    SchemaUploadForm,
)
from clocher.demarches.formschema import SchemaError, enumerate_paths, parse_schema
from clocher.demarches.formschema.schema import FormSchema
from clocher.demarches.models import FormVersion, Procedure
from clocher.demarches.services import builder
from clocher.demarches.services.builder import (
    FIELD_TYPE_LABELS,
    INPUT_TYPES,
    NOT_IN_REPEAT,
    BuilderRefused,
)
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.permissions import Capability

# --- Helpers --------------------------------------------------------------------------------


def _split(field_name: str) -> tuple[str | None, str]:
    """``"children.first_name"`` → (``"children"``, ``"first_name"``); a top field has no
    parent."""
    parent, _dot, name = field_name.rpartition(".")
    return (parent or None), name


@dataclasses.dataclass(frozen=True)
class Editing:
    """The form the builder shows: the draft if there is one, else the published form."""

    schema: dict[str, Any]
    draft: FormVersion | None
    published: FormVersion | None

    @property
    def state(self) -> dict[str, Any]:
        return {"draft": self.draft, "published": self.published}


def _editing(procedure: Procedure) -> Editing:
    draft = builder.current_draft(procedure)
    published = builder.published_form(procedure)
    if draft is not None:
        return Editing(draft.schema, draft, published)
    return Editing(published.schema if published else {"fields": []}, None, published)


def _builder_url(procedure: Procedure, parent: str | None = None, anchor: str = "") -> str:
    if parent:
        url = reverse(
            "staff:demarches:form-repeat",
            kwargs={
                "commune_slug": procedure.commune.slug,
                "online_procedure": procedure.pk,
                "field_name": parent,
            },
        )
    else:
        url = reverse(
            "staff:demarches:form-builder",
            kwargs={"commune_slug": procedure.commune.slug, "online_procedure": procedure.pk},
        )
    return f"{url}#{anchor}" if anchor else url


def _show_refusal(request: HttpRequest, refused: BuilderRefused) -> None:
    for error in refused.errors:
        messages.error(request, error)


def _rows(schema: dict[str, Any], parent: str | None) -> list[dict[str, Any]]:
    """The lines of the field table: what the secretary needs to recognise each field."""
    fields = builder.fields_of(schema, parent)
    rows = []
    for position, item in enumerate(fields):
        field_type = str(item.get("type"))
        name = str(item.get("name"))
        rows.append(
            {
                "name": name,
                "path": f"{parent}.{name}" if parent else name,
                "anchor": f"champ-{name}",
                "title": builder.field_title(item),
                "type_label": FIELD_TYPE_LABELS.get(field_type, field_type),
                "has_value": field_type in INPUT_TYPES,
                "required": bool(item.get("required")),
                "personal": bool(item.get("personal")),
                "condition": builder.describe_condition(item.get("condition"), schema, parent),
                "is_repeat": field_type == "repeat",
                "sub_count": len(builder.fields_of(schema, name)) if field_type == "repeat" else 0,
                "is_first": position == 0,
                "is_last": position == len(fields) - 1,
            }
        )
    return rows


def _type_options(*, in_repeat: bool) -> list[tuple[str, str, str]]:
    """(type, French name, one-line hint) for the type chooser."""
    return [
        (value, str(label), str(FIELD_TYPE_HINTS[value]))
        for value, label in FIELD_TYPE_LABELS.items()
        if not (in_repeat and value in NOT_IN_REPEAT)
    ]


def _context(procedure: Procedure, **extra: Any) -> dict[str, Any]:
    return {"procedure": procedure, **extra}


# --- The field list -----------------------------------------------------------------------------


@require_capability(Capability.MANAGE_PROCEDURES)
@require_GET
def form_builder(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure
) -> HttpResponse:
    """The form's fields with their actions, and the chooser to add one."""
    editing = _editing(online_procedure)
    schema = editing.schema
    return render(
        request,
        "demarches/builder/builder.html",
        _context(
            online_procedure,
            **editing.state,
            rows=_rows(schema, None),
            type_options=_type_options(in_repeat=False),
            parent=None,
        ),
    )


@require_capability(Capability.MANAGE_PROCEDURES)
@require_GET
def repeat_block(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure, field_name: str
) -> HttpResponse:
    """The fields of one repeatable block, edited like the form's."""
    editing = _editing(online_procedure)
    schema = editing.schema
    block = builder.find_field(schema, field_name)
    if block is None or block.get("type") != "repeat":
        raise Http404
    return render(
        request,
        "demarches/builder/builder.html",
        _context(
            online_procedure,
            **editing.state,
            rows=_rows(schema, field_name),
            type_options=_type_options(in_repeat=True),
            parent=field_name,
            block=block,
            block_title=builder.field_title(block),
        ),
    )


# --- Adding and editing a field -----------------------------------------------------------------


@require_capability(Capability.MANAGE_PROCEDURES)
@require_http_methods(["GET", "POST"])
def field_add(request: HttpRequest, commune_slug: str, online_procedure: Procedure) -> HttpResponse:
    """The settings of a new field of the chosen type; saved into the draft."""
    source = request.POST if request.method == "POST" else request.GET
    parent = source.get("bloc") or None
    schema = _editing(online_procedure).schema
    if parent is not None:
        block = builder.find_field(schema, parent)
        if block is None or block.get("type") != "repeat":
            raise Http404
    field_type = source.get("type", "")
    if field_type not in FIELD_TYPE_LABELS or (parent and field_type in NOT_IN_REPEAT):
        messages.error(request, _("Choisissez d'abord le type du champ à ajouter."))
        return redirect(_builder_url(online_procedure, parent, "ajouter"))
    siblings = builder.fields_of(schema, parent)
    data = request.POST if request.method == "POST" else None
    form = FieldForm(data, field_type=field_type, in_repeat=parent is not None)
    position_form = PositionForm(data, fields=siblings, prefix="placement")
    if request.method == "POST" and form.is_valid() and position_form.is_valid():
        try:
            with transaction.atomic():  # no empty draft left behind when the field is refused
                draft = builder.draft_open(procedure=online_procedure, actor=request.user)
                name = builder.field_add(
                    draft=draft,
                    spec_dict=form.to_spec(),
                    position=position_form.cleaned_data["position"],
                    parent=parent,
                )
        except BuilderRefused as refused:
            form.add_error(None, refused.errors)
        else:
            messages.success(
                request,
                _("« %(title)s » est ajouté au brouillon du formulaire.")
                % {"title": builder.field_title(form.to_spec())},
            )
            return redirect(_builder_url(online_procedure, parent, f"champ-{name}"))
    return render(
        request,
        "demarches/builder/field_form.html",
        _context(
            online_procedure,
            form=form,
            position_form=position_form,
            field_type=field_type,
            type_label=FIELD_TYPE_LABELS[field_type],
            parent=parent,
            is_new=True,
            back_url=_builder_url(online_procedure, parent),
        ),
    )


@require_capability(Capability.MANAGE_PROCEDURES)
@require_http_methods(["GET", "POST"])
def field_edit(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure, field_name: str
) -> HttpResponse:
    """The settings of an existing field (its condition has its own page)."""
    parent, name = _split(field_name)
    schema = _editing(online_procedure).schema
    item = builder.find_field(schema, name, parent)
    if item is None:
        raise Http404
    field_type = str(item.get("type"))
    if field_type not in FIELD_TYPE_LABELS:
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = FieldForm(
        data,
        field_type=field_type,
        in_repeat=parent is not None,
        is_new=False,
        initial=FieldForm.initial_from(item),
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                draft = builder.draft_open(procedure=online_procedure, actor=request.user)
                new_name = builder.field_update(
                    draft=draft, field_name=name, spec_dict=form.to_spec(), parent=parent
                )
        except BuilderRefused as refused:
            form.add_error(None, refused.errors)
        else:
            messages.success(
                request,
                _("« %(title)s » est modifié dans le brouillon.")
                % {"title": builder.field_title(form.to_spec())},
            )
            return redirect(_builder_url(online_procedure, parent, f"champ-{new_name}"))
    return render(
        request,
        "demarches/builder/field_form.html",
        _context(
            online_procedure,
            form=form,
            field_type=field_type,
            type_label=FIELD_TYPE_LABELS[field_type],
            parent=parent,
            is_new=False,
            item=item,
            field_path=field_name,
            title=builder.field_title(item),
            condition=builder.describe_condition(item.get("condition"), schema, parent),
            back_url=_builder_url(online_procedure, parent, f"champ-{name}"),
        ),
    )


@require_capability(Capability.MANAGE_PROCEDURES)
@require_POST
def field_move(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure, field_name: str
) -> HttpResponse:
    """Move a field one place up or down."""
    parent, name = _split(field_name)
    direction = request.POST.get("direction", "")
    try:
        with transaction.atomic():
            draft = builder.draft_open(procedure=online_procedure, actor=request.user)
            builder.field_move(draft=draft, field_name=name, direction=direction, parent=parent)
    except BuilderRefused as refused:
        _show_refusal(request, refused)
    else:
        messages.success(
            request,
            _("Le champ est monté d'un rang.")
            if direction == "up"
            else _("Le champ est descendu d'un rang."),
        )
    return redirect(_builder_url(online_procedure, parent, f"champ-{name}"))


@require_capability(Capability.MANAGE_PROCEDURES)
@require_http_methods(["GET", "POST"])
def field_delete(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure, field_name: str
) -> HttpResponse:
    """Confirm, then remove a field from the draft."""
    parent, name = _split(field_name)
    schema = _editing(online_procedure).schema
    item = builder.find_field(schema, name, parent)
    if item is None:
        raise Http404
    uses = builder.conditions_using(schema, name, parent)
    if request.method == "POST":
        try:
            with transaction.atomic():
                draft = builder.draft_open(procedure=online_procedure, actor=request.user)
                builder.field_remove(draft=draft, field_name=name, parent=parent)
        except BuilderRefused as refused:
            _show_refusal(request, refused)
            return redirect(_builder_url(online_procedure, parent, f"champ-{name}"))
        messages.success(
            request,
            _("« %(title)s » est retiré du brouillon.") % {"title": builder.field_title(item)},
        )
        return redirect(_builder_url(online_procedure, parent))
    return render(
        request,
        "demarches/builder/field_delete.html",
        _context(
            online_procedure,
            title=builder.field_title(item),
            uses=[
                {
                    "title": builder.field_title(use.owner),
                    "condition": builder.describe_condition(
                        use.owner.get("condition"), schema, use.parent
                    ),
                }
                for use in uses
            ],
            parent=parent,
            back_url=_builder_url(online_procedure, parent, f"champ-{name}"),
        ),
    )


# --- Conditions ---------------------------------------------------------------------------------


def _drivers(schema: dict[str, Any], name: str, parent: str | None) -> list[dict[str, Any]]:
    """The fields a condition of ``name`` may look at: input fields placed before it (for a field
    of a block: the form's fields before the block, then the block's fields before it)."""

    def before(fields: list[dict[str, Any]], stop: str) -> list[dict[str, Any]]:
        out = []
        for item in fields:
            if item.get("name") == stop:
                break
            if item.get("type") in INPUT_TYPES:
                out.append(item)
        return out

    if parent is None:
        return before(builder.fields_of(schema), name)
    return before(builder.fields_of(schema), parent) + before(
        builder.fields_of(schema, parent), name
    )


@require_capability(Capability.MANAGE_PROCEDURES)
@require_http_methods(["GET", "POST"])
def field_condition(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure, field_name: str
) -> HttpResponse:
    """The condition editor: when is this field (section, page) shown?"""
    parent, name = _split(field_name)
    schema = _editing(online_procedure).schema
    item = builder.find_field(schema, name, parent)
    if item is None:
        raise Http404
    drivers = _drivers(schema, name, parent)
    refusal: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "save")
        editor = ConditionEditor.from_post(request.POST, drivers)
        condition: dict[str, Any] | None = None
        if action in ("save", "clear"):
            if action == "save":
                condition = editor.to_condition()
            if action == "clear" or editor.is_valid:
                try:
                    with transaction.atomic():
                        draft = builder.draft_open(procedure=online_procedure, actor=request.user)
                        builder.condition_set(
                            draft=draft, field_name=name, condition=condition, parent=parent
                        )
                except BuilderRefused as refused:
                    refusal = refused.errors
                else:
                    if condition:
                        messages.success(
                            request,
                            _("Condition enregistrée : « %(title)s » s'affiche %(condition)s.")
                            % {
                                "title": builder.field_title(item),
                                "condition": builder.describe_condition(condition, schema, parent),
                            },
                        )
                    else:
                        messages.success(
                            request,
                            _("« %(title)s » s'affiche désormais toujours.")
                            % {"title": builder.field_title(item)},
                        )
                    return redirect(_builder_url(online_procedure, parent, f"champ-{name}"))
        else:
            editor.apply(action, request.POST)
    else:
        editor = ConditionEditor.from_condition(item.get("condition"), drivers)
    return render(
        request,
        "demarches/builder/condition.html",
        _context(
            online_procedure,
            title=builder.field_title(item),
            is_layout=item.get("type") in ("section", "page"),
            editor=editor,
            rows=editor.display(),
            drivers=editor.driver_choices(),
            group_choices=GROUP_CHOICES,
            current=builder.describe_condition(item.get("condition"), schema, parent),
            refusal=refusal,
            parent=parent,
            field_path=field_name,
            back_url=_builder_url(online_procedure, parent, f"champ-{name}"),
        ),
    )


# --- Preview ------------------------------------------------------------------------------------


def _read_only(view: Any, prefix: str) -> None:
    view.read_only = True
    view.id = f"{prefix}{view.id}"
    for item in getattr(view, "items", []):
        for sub in item.fields:
            _read_only(sub, prefix)


def _path_page(schema: FormSchema, fields: tuple[Any, ...], number: int) -> Any:
    """The fields of one path as the citizen sees them, read-only, with ids of their own."""
    from clocher.demarches.formschema.rendering import whole_form_view

    shown = FormSchema(
        fields=tuple(dataclasses.replace(spec, condition=None) for spec in fields), raw=schema.raw
    )
    page = whole_form_view(shown, {})
    for view in page.fields:
        _read_only(view, f"parcours-{number}-")
    return page


@require_capability(Capability.MANAGE_PROCEDURES)
@require_GET
def form_preview(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure
) -> HttpResponse:
    """Every conditional path through the form (draft, else published), each as the citizen
    would see it."""
    editing = _editing(online_procedure)
    raw = editing.schema
    errors: list[str] = []
    paths: list[dict[str, Any]] = []
    truncated = False
    try:
        schema = parse_schema(raw)
    except SchemaError as error:
        errors = error.errors
    else:
        found, truncated = enumerate_paths(schema)
        for number, path in enumerate(found, start=1):
            paths.append(
                {
                    "number": number,
                    "answers": path.answers,
                    "page": _path_page(schema, path.fields, number),
                    "count": sum(1 for spec in path.fields if spec.has_value),
                }
            )
    return render(
        request,
        "demarches/builder/preview.html",
        _context(
            online_procedure,
            **editing.state,
            paths=paths,
            truncated=truncated,
            errors=errors,
        ),
    )


# --- Advanced: JSON -----------------------------------------------------------------------------


@require_capability(Capability.MANAGE_PROCEDURES)
@require_http_methods(["GET", "POST"])
def form_json(request: HttpRequest, commune_slug: str, online_procedure: Procedure) -> HttpResponse:
    """The form as JSON (read-only), and the upload of a JSON form into the draft."""
    editing = _editing(online_procedure)
    raw = editing.schema
    form = SchemaUploadForm(request.POST or None, request.FILES or None)
    refusal: list[str] = []
    if request.method == "POST" and form.is_valid() and "schema" in form.cleaned_data:
        try:
            builder.draft_replace(
                procedure=online_procedure, actor=request.user, schema=form.cleaned_data["schema"]
            )
        except BuilderRefused as refused:
            refusal = refused.errors
        else:
            messages.success(
                request,
                _("Le formulaire importé remplace le brouillon. Vérifiez-le avant de le publier."),
            )
            return redirect(_builder_url(online_procedure))
    return render(
        request,
        "demarches/builder/json.html",
        _context(
            online_procedure,
            **editing.state,
            schema_text=json.dumps(raw, ensure_ascii=False, indent=2),
            form=form,
            refusal=refusal,
        ),
    )


@require_capability(Capability.MANAGE_PROCEDURES)
@require_GET
def form_json_download(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure
) -> HttpResponse:
    """The form (draft, else published) as a JSON file."""
    editing = _editing(online_procedure)
    raw, draft = editing.schema, editing.draft
    suffix = "brouillon" if draft is not None else "publie"
    response = HttpResponse(
        json.dumps(raw, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="formulaire-{online_procedure.slug}-{suffix}.json"'
    )
    return response


# --- Publish and discard ------------------------------------------------------------------------


def _error_groups(errors: list[str], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The refusal messages grouped under the field they name (« name »), in form order."""
    titles = {
        str(item.get("name")): builder.field_title(item) for item in builder.fields_of(schema)
    }
    groups: dict[str, list[str]] = {}
    for error in errors:
        key = ""
        for name in titles:
            if f"« {name} »" in error:
                key = name
                break
        groups.setdefault(key, []).append(error)
    ordered = [name for name in titles if name in groups]
    if "" in groups:
        ordered.append("")
    return [
        {"title": titles.get(name, _("Le formulaire")), "errors": groups[name]} for name in ordered
    ]


@require_capability(Capability.MANAGE_PROCEDURES)
@require_http_methods(["GET", "POST"])
def form_publish(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure
) -> HttpResponse:
    """What the draft changes, then publish it."""
    draft = builder.current_draft(online_procedure)
    if draft is None:
        messages.info(
            request, _("Il n'y a pas de brouillon à publier : modifiez d'abord un champ.")
        )
        return redirect(_builder_url(online_procedure))
    published = builder.published_form(online_procedure)
    refusal: list[dict[str, Any]] = []
    if request.method == "POST":
        try:
            version = builder.form_publish(procedure=online_procedure, actor=request.user)
        except BuilderRefused as refused:
            refusal = _error_groups(refused.errors, draft.schema)
        else:
            messages.success(
                request,
                _(
                    "La version %(number)d du formulaire est publiée. Les demandes déjà reçues "
                    "gardent la version à laquelle elles ont répondu."
                )
                % {"number": version.number},
            )
            return redirect(_builder_url(online_procedure))
    return render(
        request,
        "demarches/builder/publish.html",
        _context(
            online_procedure,
            draft=draft,
            published=published,
            changes=builder.schema_changes(published.schema if published else None, draft.schema),
            refusal=refusal,
        ),
    )


@require_capability(Capability.MANAGE_PROCEDURES)
@require_http_methods(["GET", "POST"])
def draft_discard(
    request: HttpRequest, commune_slug: str, online_procedure: Procedure
) -> HttpResponse:
    """Confirm, then throw the draft away."""
    draft = builder.current_draft(online_procedure)
    if draft is None:
        return redirect(_builder_url(online_procedure))
    if request.method == "POST":
        try:
            builder.draft_discard(draft=draft)
        except BuilderRefused as refused:
            _show_refusal(request, refused)
        else:
            messages.success(
                request, _("Le brouillon est abandonné : le formulaire publié reste inchangé.")
            )
        return redirect(_builder_url(online_procedure))
    published = builder.published_form(online_procedure)
    return render(
        request,
        "demarches/builder/discard.html",
        _context(
            online_procedure,
            draft=draft,
            changes=builder.schema_changes(published.schema if published else None, draft.schema),
        ),
    )
