"""The shared catalogue: the operator's templates, their adoption by communes, publication.

- :func:`catalogue_load` copies the built-in templates (``clocher.demarches.catalogue``) into the
  operator's :class:`ProcedureTemplate` / :class:`TemplateVersion` rows;
  :func:`template_version_publish` publishes an edited version from the console. A version is
  never edited once published.
- :func:`template_adopt` gives a commune its own :class:`Procedure` from a template version, with
  its contact details and a first published :class:`FormVersion`; the procedure stays offline
  until :func:`procedure_publish`, which refuses while a mandatory mention is missing.
- When the operator publishes a newer version, :func:`template_update_available` and
  :func:`template_update_diff` show it to the commune as an update to review;
  :func:`procedure_update_accept` applies it. Requests keep the form version they answered.

The mandatory mentions are those the acknowledgment of receipt must carry (CRPA L112-11 and
R112-5): the designation, postal address, e-mail address and phone number of the service in
charge; whether the request may give rise to an implicit acceptance or refusal, and the date it
would be born (so the silence rule and its delay); for an implicit refusal, the appeal routes and
delays. Clocher asks for every one of them before a procedure goes online.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clocher.core import audit
from clocher.demarches.catalogue import BUILT_IN
from clocher.demarches.catalogue.appeal_routes import default_appeal_routes, of_commune
from clocher.demarches.formschema import SchemaError, parse_schema
from clocher.demarches.models import (
    Family,
    FormVersion,
    Procedure,
    ProcedureTemplate,
    SilenceRule,
    TemplateVersion,
)
from clocher.tenancy.models import Commune, Operator

# The texts and legal facts a template version carries besides its form, in display order.
TEXT_FIELDS = (
    "title",
    "description",
    "legal_basis",
    "acknowledgment_text",
    "silence_rule",
    "silence_delay_months",
    "processing_days",
    "retention_months",
    "statuses",
)
CONTENT_FIELDS = (*TEXT_FIELDS, "schema")

TEXT_LABELS: dict[str, Any] = {
    "title": gettext_lazy("Titre"),
    "description": gettext_lazy("Présentation"),
    "legal_basis": gettext_lazy("Base légale"),
    "acknowledgment_text": gettext_lazy("Texte de l'accusé de réception"),
    "silence_rule": gettext_lazy("Sens du silence de l'administration"),
    "silence_delay_months": gettext_lazy("Délai de décision implicite"),
    "processing_days": gettext_lazy("Délai de traitement visé"),
    "retention_months": gettext_lazy("Durée de conservation"),
    "statuses": gettext_lazy("Statuts de l'instruction"),
}

# What a changed field attribute is called on the update review page.
ATTRIBUTE_LABELS: dict[str, Any] = {
    "type": gettext_lazy("type de champ"),
    "label": gettext_lazy("libellé"),
    "help": gettext_lazy("texte d'aide"),
    "required": gettext_lazy("caractère obligatoire"),
    "personal": gettext_lazy("donnée personnelle"),
    "choices": gettext_lazy("choix proposés"),
    "condition": gettext_lazy("condition d'affichage"),
}
VALIDATION_LABEL = gettext_lazy("règles de validation")


class CatalogueRefused(Exception):
    """A catalogue action was refused; ``messages`` says why, in French, one problem each."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class AdoptionRefused(CatalogueRefused):
    pass


class PublicationRefused(CatalogueRefused):
    pass


class UpdateRefused(CatalogueRefused):
    pass


class TemplateVersionRefused(CatalogueRefused):
    pass


@dataclass(frozen=True)
class ProcedureContact:
    """The service a commune names on its procedure (mentions of CRPA R112-5)."""

    service_name: str
    service_address: str
    service_email: str
    service_phone: str
    appeal_routes: str


def _content(version: TemplateVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in CONTENT_FIELDS}


def _next_number(template: ProcedureTemplate) -> int:
    top = template.versions.aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def _version_create(
    *, template: ProcedureTemplate, content: dict[str, Any], changelog: str
) -> TemplateVersion:
    now = timezone.now()
    return TemplateVersion.objects.create(
        template=template,
        number=_next_number(template),
        changelog=changelog,
        created_at=now,
        published_at=now,
        **{name: copy.deepcopy(content[name]) for name in CONTENT_FIELDS},
    )


# --- Operator side ----------------------------------------------------------------------------


@transaction.atomic
def catalogue_load(*, operator: Operator) -> int:
    """Create or refresh the built-in templates of ``operator``; return the versions created.

    Idempotent: a built-in template whose content already exists as one of its versions is left
    alone (the operator's later edits stay the latest version). When Clocher ships a changed
    built-in text or form, it becomes a new published version, which communes see as an update.
    """
    created = 0
    for built_in in BUILT_IN:
        template, _created = ProcedureTemplate.objects.get_or_create(
            operator=operator, slug=built_in.slug, defaults={"family": built_in.family}
        )
        content = built_in.content()
        if any(_content(version) == content for version in template.versions.all()):
            continue
        _version_create(template=template, content=content, changelog=built_in.changelog)
        created += 1
    return created


@transaction.atomic
def template_version_publish(
    *, template: ProcedureTemplate, actor: Any, content: dict[str, Any], changelog: str
) -> TemplateVersion:
    """Publish a new version of ``template`` (console); every adopting commune sees an update.

    ``content`` holds every field of :data:`CONTENT_FIELDS`. Refused, with one message per
    problem, when the form is invalid, a mandatory text is empty, the changelog is missing or
    nothing changed.
    """
    ProcedureTemplate.objects.select_for_update(of=("self",)).filter(pk=template.pk).first()
    problems: list[str] = []
    try:
        parsed = parse_schema(content.get("schema"))
    except SchemaError as error:
        problems += error.errors
    else:
        if not parsed.input_fields():
            problems.append(_("Le formulaire ne pose aucune question."))
    if not str(content.get("title") or "").strip():
        problems.append(_("Le titre est vide."))
    if not str(content.get("acknowledgment_text") or "").strip():
        problems.append(_("Le texte de l'accusé de réception est vide."))
    if content.get("silence_rule") not in SilenceRule.values:
        problems.append(_("Le sens du silence de l'administration est inconnu."))
    if not str(changelog or "").strip():
        problems.append(_("Dites aux communes ce qui change dans cette version."))
    latest = template.latest_version()
    if latest is not None and _content(latest) == {
        name: content.get(name) for name in CONTENT_FIELDS
    }:
        problems.append(
            _("Rien n'a changé depuis la version %(number)d.") % {"number": latest.number}
        )
    if problems:
        raise TemplateVersionRefused(problems)
    version = _version_create(template=template, content=content, changelog=changelog.strip())
    audit.log(
        audit.AuditAction.TEMPLATE_PUBLISHED,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        target=f"procedure_template:{template.pk}",
        data={"module": "demarches", "template": template.slug, "version": version.number},
    )
    return version


# --- Commune side: adoption -------------------------------------------------------------------


def _deciding_authority(commune: Commune, family: str) -> str:
    """Who decides, after « à » (the gracious appeal is addressed to them)."""
    of = of_commune(commune.name)
    if family == Family.SOCIAL:
        return _("au président du centre communal d'action sociale %(of)s") % {"of": of}
    return _("au maire %(of)s") % {"of": of}


def _service_name(commune: Commune, family: str) -> str:
    of = of_commune(commune.name)
    # A CCAS is compulsory from 1,500 inhabitants (CASF L123-4); a smaller commune may run its
    # social action itself, so the default names the town hall then.
    if family == Family.SOCIAL and (commune.population or 0) >= 1500:
        return _("Centre communal d'action sociale %(of)s") % {"of": of}
    if family == Family.SOCIAL:
        return _("Mairie %(of)s — action sociale") % {"of": of}
    if family == Family.CIVIL_STATUS:
        return _("Mairie %(of)s — service de l'état civil") % {"of": of}
    return _("Mairie %(of)s") % {"of": of}


def default_contact(commune: Commune, template_version: TemplateVersion) -> ProcedureContact:
    """The contact details a commune starts from when it adopts ``template_version``."""
    family = template_version.template.family
    return ProcedureContact(
        service_name=_service_name(commune, family),
        service_address=commune.address,
        service_email=commune.email,
        service_phone=commune.phone,
        appeal_routes=default_appeal_routes(
            commune=commune,
            family=family,
            silence_rule=template_version.silence_rule,
            authority=_deciding_authority(commune, family),
        ),
    )


def _free_slug(commune: Commune, slug: str) -> str:
    taken = set(
        Procedure.objects.for_commune(commune)
        .filter(slug__startswith=slug)
        .values_list("slug", flat=True)
    )
    candidate, counter = slug, 2
    while candidate in taken:
        candidate, counter = f"{slug}-{counter}", counter + 1
    return candidate


@transaction.atomic
def template_adopt(
    *,
    commune: Commune,
    template_version: TemplateVersion,
    actor: Any,
    contact: ProcedureContact | None = None,
) -> Procedure:
    """Give ``commune`` its procedure from ``template_version``, offline until published.

    The form becomes the procedure's first published form version; the contact details come
    from ``contact`` or, by default, from the commune's own details (:func:`default_contact`).
    """
    template = template_version.template
    if template.operator_id != commune.operator_id or template_version.published_at is None:
        raise AdoptionRefused([_("Ce modèle n'est pas proposé à votre commune.")])
    if Procedure.objects.for_commune(commune).filter(template=template).exists():
        raise AdoptionRefused(
            [_("Votre commune a déjà adopté « %(title)s ».") % {"title": template_version.title}]
        )
    contact = contact or default_contact(commune, template_version)
    procedure = Procedure.objects.create(
        commune=commune,
        template=template,
        adopted_version=template_version,
        slug=_free_slug(commune, template.slug),
        family=template.family,
        service_name=contact.service_name.strip(),
        service_address=contact.service_address.strip(),
        service_email=contact.service_email.strip(),
        service_phone=contact.service_phone.strip(),
        appeal_routes=contact.appeal_routes.strip(),
        **{name: copy.deepcopy(getattr(template_version, name)) for name in CONTENT_FIELDS},
    )
    form = FormVersion.objects.create(
        commune=commune,
        procedure=procedure,
        number=1,
        schema=copy.deepcopy(template_version.schema),
        based_on=template_version,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        published_at=timezone.now(),
    )
    procedure.current_form = form
    procedure.save(update_fields=["current_form"])
    _journal(procedure, actor, "adopted", version=template_version.number)
    return procedure


def _journal(procedure: Procedure, actor: Any, change: str, **data: Any) -> None:
    """Publishing, withdrawing or changing a procedure changes what the commune collects from
    citizens: it goes to the audit journal as a change of the commune's setup."""
    audit.log(
        audit.AuditAction.PROCEDURE_PUBLISHED,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        commune=procedure.commune,
        target=f"procedure:{procedure.pk}",
        data={"module": "demarches", "procedure": procedure.slug, "change": change, **data},
    )


# --- Publication ------------------------------------------------------------------------------


def missing_mentions(procedure: Procedure) -> list[str]:
    """The French labels of the mandatory mentions (CRPA R112-5) still empty on ``procedure``."""
    missing = []
    if not procedure.service_name.strip():
        missing.append(_("Nom du service chargé du dossier"))
    if not procedure.service_address.strip():
        missing.append(_("Adresse postale du service"))
    if not procedure.service_email.strip():
        missing.append(_("Adresse électronique du service"))
    if not procedure.service_phone.strip():
        missing.append(_("Téléphone du service"))
    if procedure.silence_rule not in SilenceRule.values:
        missing.append(_("Sens du silence de l'administration"))
    elif (
        procedure.silence_rule != SilenceRule.NOT_APPLICABLE and not procedure.silence_delay_months
    ):
        missing.append(_("Délai de décision implicite"))
    if not procedure.appeal_routes.strip():
        missing.append(_("Voies et délais de recours"))
    if not procedure.acknowledgment_text.strip():
        missing.append(_("Texte de l'accusé de réception"))
    return missing


def form_problems(procedure: Procedure) -> list[str]:
    """Why the procedure's current form cannot be offered to citizens (empty when it can)."""
    form = procedure.current_form
    if form is None or not form.is_published:
        return [_("Le formulaire n'est pas publié.")]
    try:
        parsed = parse_schema(form.schema)
    except SchemaError as error:
        return [_("Formulaire : %(problem)s") % {"problem": problem} for problem in error.errors]
    if not parsed.input_fields():
        return [_("Le formulaire ne pose aucune question.")]
    return []


@transaction.atomic
def procedure_publish(*, procedure: Procedure, actor: Any) -> Procedure:
    """Put ``procedure`` online; refused while a mention is missing or the form is invalid."""
    problems = [
        _("Mention obligatoire manquante : %(mention)s.") % {"mention": mention}
        for mention in missing_mentions(procedure)
    ]
    problems += form_problems(procedure)
    if problems:
        raise PublicationRefused(problems)
    if procedure.is_published:
        return procedure
    procedure.is_published = True
    procedure.published_at = timezone.now()
    procedure.save(update_fields=["is_published", "published_at"])
    _journal(procedure, actor, "published")
    return procedure


@transaction.atomic
def procedure_unpublish(*, procedure: Procedure, actor: Any) -> Procedure:
    """Take ``procedure`` offline: no new request; the requests received are not touched."""
    if not procedure.is_published:
        return procedure
    procedure.is_published = False
    procedure.save(update_fields=["is_published"])
    _journal(procedure, actor, "unpublished")
    return procedure


# --- Updates from the catalogue ---------------------------------------------------------------


def template_update_available(procedure: Procedure) -> TemplateVersion | None:
    """The template's latest published version, when newer than the one the commune adopted."""
    if procedure.template_id is None:
        return None
    latest = (
        TemplateVersion.objects.filter(
            template_id=procedure.template_id, published_at__isnull=False
        )
        .order_by("-number")
        .first()
    )
    return latest if is_newer(latest, procedure.adopted_version) else None


def is_newer(latest: TemplateVersion | None, adopted: TemplateVersion | None) -> bool:
    return latest is not None and (adopted is None or latest.number > adopted.number)


@dataclass(frozen=True)
class FieldDiff:
    name: str  # ``children.first_name`` inside a repeatable block
    label: str
    what: tuple[str, ...] = ()  # for a changed field: which attributes changed


@dataclass(frozen=True)
class TextDiff:
    name: str
    label: str
    old: str
    new: str
    # The commune changed this text since adopting: accepting keeps the commune's own text.
    is_customised: bool


@dataclass(frozen=True)
class TemplateDiff:
    current: TemplateVersion | None
    available: TemplateVersion
    changelogs: list[tuple[int, str]]
    added: list[FieldDiff] = field(default_factory=list)
    removed: list[FieldDiff] = field(default_factory=list)
    changed: list[FieldDiff] = field(default_factory=list)
    texts: list[TextDiff] = field(default_factory=list)
    # The commune's current form differs from the template version it adopted: accepting
    # replaces it by the new template form (the old one stays, with the requests that used it).
    form_customised: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.texts)


def _flat_fields(schema: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every field of a form by path name, with its label (``Block › Field`` inside a block)."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    items = schema.get("fields") if isinstance(schema, dict) else None
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name", ""))
        label = _field_label(item)
        out[name] = (label, item)
        if item.get("type") == "repeat" and isinstance(item.get("fields"), list):
            for sub in item["fields"]:
                if isinstance(sub, dict):
                    out[f"{name}.{sub.get('name', '')}"] = (f"{label} › {_field_label(sub)}", sub)
    return out


def _field_label(item: dict[str, Any]) -> str:
    label = str(item.get("label") or "").strip()
    if label:
        return label
    text = str(item.get("help") or "").strip()
    return (text[:60] + "…") if len(text) > 60 else (text or str(item.get("name", "")))


def _attribute_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, ...]:
    what: list[str] = []
    for key in sorted((set(before) | set(after)) - {"name", "fields"}):
        if before.get(key) == after.get(key):
            continue
        label = str(ATTRIBUTE_LABELS.get(key, VALIDATION_LABEL))
        if label not in what:
            what.append(label)
    return tuple(what)


def text_display(name: str, value: Any) -> str:
    """A template text or fact as the review page shows it."""
    if name == "silence_rule":
        try:
            return str(SilenceRule(value).label)
        except ValueError:
            return str(value)
    if name == "silence_delay_months" or name == "retention_months":
        return _("%(count)s mois") % {"count": value}
    if name == "processing_days":
        return _("%(count)s jours") % {"count": value}
    if name == "statuses":
        labels = [str(item.get("label", "")) for item in value or [] if isinstance(item, dict)]
        return ", ".join(labels) if labels else _("statuts par défaut")
    return str(value or "")


def template_update_diff(procedure: Procedure) -> TemplateDiff | None:
    """What the available update changes compared to the version the commune adopted."""
    available = template_update_available(procedure)
    if available is None:
        return None
    current = procedure.adopted_version
    old_schema = current.schema if current is not None else {}
    old_fields, new_fields = _flat_fields(old_schema), _flat_fields(available.schema)
    added = [
        FieldDiff(name, label) for name, (label, _i) in new_fields.items() if name not in old_fields
    ]
    removed = [
        FieldDiff(name, label) for name, (label, _i) in old_fields.items() if name not in new_fields
    ]
    changed = []
    for name, (label, item) in new_fields.items():
        if name in old_fields:
            what = _attribute_changes(old_fields[name][1], item)
            if what:
                changed.append(FieldDiff(name, label, what))
    texts = []
    for name in TEXT_FIELDS:
        old = getattr(current, name) if current is not None else None
        new = getattr(available, name)
        if old == new:
            continue
        texts.append(
            TextDiff(
                name=name,
                label=str(TEXT_LABELS[name]),
                old=text_display(name, old) if current is not None else "",
                new=text_display(name, new),
                is_customised=current is not None and getattr(procedure, name) != old,
            )
        )
    start = current.number if current is not None else 0
    changelogs = list(
        TemplateVersion.objects.filter(
            template_id=procedure.template_id,
            number__gt=start,
            number__lte=available.number,
            published_at__isnull=False,
        )
        .order_by("number")
        .values_list("number", "changelog")
    )
    form = procedure.current_form
    return TemplateDiff(
        current=current,
        available=available,
        changelogs=changelogs,
        added=added,
        removed=removed,
        changed=changed,
        texts=texts,
        form_customised=form is not None and form.schema != old_schema,
    )


@transaction.atomic
def procedure_update_accept(*, procedure: Procedure, actor: Any) -> FormVersion:
    """Apply the available template version to ``procedure``.

    The form becomes a new published form version built from the new template form; texts the
    commune kept as the template wrote them follow the template, texts it changed stay its own;
    the contact details, appeal routes, options and publication state are the commune's and are
    kept. Requests already received keep the form version they answered.
    """
    locked = (
        Procedure.objects.for_commune(procedure.commune)
        .select_for_update(of=("self",))
        .select_related("adopted_version")
        .get(pk=procedure.pk)
    )
    available = template_update_available(locked)
    if available is None:
        raise UpdateRefused([_("Aucune mise à jour de ce modèle n'est disponible.")])
    try:
        parse_schema(available.schema)
    except SchemaError as error:
        raise UpdateRefused(error.errors) from error
    previous = locked.adopted_version
    changed_texts = []
    for name in TEXT_FIELDS:
        if previous is None or getattr(locked, name) == getattr(previous, name):
            if getattr(locked, name) != getattr(available, name):
                changed_texts.append(name)
            setattr(locked, name, copy.deepcopy(getattr(available, name)))
    top = (
        FormVersion.objects.for_commune(locked.commune)
        .filter(procedure=locked)
        .aggregate(top=Max("number"))["top"]
    )
    form = FormVersion.objects.create(
        commune=locked.commune,
        procedure=locked,
        number=(top or 0) + 1,
        schema=copy.deepcopy(available.schema),
        based_on=available,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        published_at=timezone.now(),
    )
    locked.schema = copy.deepcopy(available.schema)
    locked.current_form = form
    locked.adopted_version = available
    locked.save(update_fields=[*TEXT_FIELDS, "schema", "current_form", "adopted_version"])
    _journal(
        locked,
        actor,
        "template_update",
        version=available.number,
        form_version=form.number,
        texts=changed_texts,
    )
    procedure.refresh_from_db()
    return form
