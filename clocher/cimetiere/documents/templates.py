"""Shared document templates: which version applies to a commune, and rendering it safely.

The operator publishes one version per document kind; a commune may adjust its own copy. The
version used is, in order: the commune's copy, the operator's shared version, the built-in text
(``defaults``). Rendering uses a sandboxed ``django.template.Engine``: no loaders (no
``include``/``extends``), no ``load``, no ``url``, no ``debug``, autoescape off (plain text), and
a context made only of plain read-only values built here, so a template can never reach the
database, the settings or a model method.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from django.db.models import Q
from django.template import Context, Engine, TemplateSyntaxError

from clocher.cimetiere.documents.defaults import DEFAULTS
from clocher.cimetiere.models import DocumentKind, DocumentTemplate
from clocher.tenancy.models import Commune


class TemplateSource(StrEnum):
    COMMUNE = "commune"
    OPERATOR = "operator"
    BUILT_IN = "built_in"


@dataclass(frozen=True)
class ResolvedTemplate:
    kind: str
    title: str
    body: str
    source: TemplateSource
    row: DocumentTemplate | None = None


class _SandboxEngine(Engine):
    default_builtins = ["clocher.cimetiere.documents.sandbox_library"]


_engine = _SandboxEngine(
    dirs=[],
    app_dirs=False,
    loaders=[],
    libraries={},
    autoescape=False,
    debug=False,
    string_if_invalid="",
)


def template_for(commune: Commune, kind: str) -> ResolvedTemplate:
    """The version of ``kind`` that applies to ``commune``: its own copy, else its operator's
    shared version, else the built-in text. Another commune's copy is never returned."""
    rows = {
        TemplateSource.COMMUNE if row.commune_id else TemplateSource.OPERATOR: row
        for row in DocumentTemplate.objects.filter(kind=kind).filter(
            Q(commune=commune) | Q(operator_id=commune.operator_id, commune__isnull=True)
        )
    }
    for source in (TemplateSource.COMMUNE, TemplateSource.OPERATOR):
        row = rows.get(source)
        if row is not None:
            return ResolvedTemplate(kind, row.title, row.body, source, row)
    return built_in_template(kind)


def shared_template_for(commune: Commune, kind: str) -> ResolvedTemplate:
    """The version a commune goes back to when it resets its copy."""
    row = DocumentTemplate.objects.filter(
        kind=kind, operator_id=commune.operator_id, commune__isnull=True
    ).first()
    if row is not None:
        return ResolvedTemplate(kind, row.title, row.body, TemplateSource.OPERATOR, row)
    return built_in_template(kind)


def built_in_template(kind: str) -> ResolvedTemplate:
    title, body = DEFAULTS[DocumentKind(kind)]
    return ResolvedTemplate(kind, title, body, TemplateSource.BUILT_IN)


def templates_of_commune(commune: Commune) -> list[ResolvedTemplate]:
    """Every document kind with the version that applies to the commune (two queries at most)."""
    rows = DocumentTemplate.objects.filter(
        Q(commune=commune) | Q(operator_id=commune.operator_id, commune__isnull=True)
    )
    own = {row.kind: row for row in rows if row.commune_id}
    shared = {row.kind: row for row in rows if not row.commune_id}
    found = []
    for kind in DocumentKind.values:
        if kind in own:
            row = own[kind]
            found.append(ResolvedTemplate(kind, row.title, row.body, TemplateSource.COMMUNE, row))
        elif kind in shared:
            row = shared[kind]
            found.append(ResolvedTemplate(kind, row.title, row.body, TemplateSource.OPERATOR, row))
        else:
            found.append(built_in_template(kind))
    return found


def _freeze(value: Any) -> Any:
    """Plain, read-only values: a template cannot call a method that changes anything."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(key): _freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def compile_text(text: str) -> Any:
    """Compile a template text; raises ``TemplateSyntaxError`` with a message on bad syntax."""
    return _engine.from_string(text)


def render_text(text: str, values: Mapping[str, Any]) -> str:
    """Render ``text`` with plain ``values`` only (dicts, lists, strings, numbers)."""
    frozen = {key: _freeze(item) for key, item in values.items()}
    return compile_text(text).render(Context(frozen, autoescape=False))


@dataclass(frozen=True)
class RenderedText:
    title: str
    paragraphs: list[str]


def split_paragraphs(text: str) -> list[str]:
    blocks = [block.strip("\n") for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block.strip()]


def render_template(template: ResolvedTemplate, values: Mapping[str, Any]) -> RenderedText:
    """Render a template's title and body. A stored version that no longer compiles (it is
    checked when saved, so only after a change of the sandbox) falls back to the built-in text."""
    try:
        title = render_text(template.title, values)
        body = render_text(template.body, values)
    except TemplateSyntaxError:
        fallback = built_in_template(template.kind)
        title = render_text(fallback.title, values)
        body = render_text(fallback.body, values)
    return RenderedText(title=" ".join(title.split()), paragraphs=split_paragraphs(body))


PLACEHOLDERS: dict[str, list[str]] = {
    DocumentKind.CONCESSION_DEED: [
        "commune.name",
        "commune.address",
        "concession.number",
        "concession.kind",
        "concession.act_date",
        "concession.expires_on",
        "concession.duration_years",
        "concession.scope",
        "concession.surface",
        "concession.price_paid",
        "concession.holders_text",
        "concession.beneficiaries",
        "plot.cemetery",
        "plot.section",
        "plot.number",
        "plot.kind",
        "today",
    ],
    DocumentKind.BURIAL_AUTHORISATION: [
        "commune.name",
        "operation.kind",
        "operation.date",
        "operation.requested_by",
        "operation.requester_relationship",
        "deceased.full_name",
        "deceased.birth_date",
        "deceased.death_date",
        "plot.cemetery",
        "plot.section",
        "plot.number",
        "concession.number",
        "today",
    ],
    DocumentKind.EXHUMATION_AUTHORISATION: [
        "commune.name",
        "operation.kind",
        "operation.date",
        "operation.requested_by",
        "operation.requester_relationship",
        "operation.sworn_statement_received",
        "operation.destination",
        "deceased.full_name",
        "deceased.death_date",
        "plot.cemetery",
        "plot.section",
        "plot.number",
        "today",
    ],
    DocumentKind.RENEWAL_LETTER: [
        "commune.name",
        "holder.name",
        "holder.address",
        "concession.number",
        "concession.kind",
        "concession.act_date",
        "renewal.expires_on",
        "renewal.is_expired",
        "renewal.repossessable_from",
        "renewal.tariff",
        "plot.cemetery",
        "plot.section",
        "plot.number",
        "today",
    ],
    DocumentKind.OSSUARY_REGISTER: ["commune.name", "register.count", "today"],
    DocumentKind.ASH_REGISTER: ["commune.name", "register.count", "today"],
    DocumentKind.SECTION_LISTING: [
        "commune.name",
        "section.name",
        "section.cemetery",
        "section.plot_count",
        "today",
    ],
}

_ABANDONMENT_COMMON = [
    "commune.name",
    "concession.number",
    "concession.kind",
    "concession.act_date",
    "plot.cemetery",
    "plot.section",
    "plot.row",
    "plot.number",
    "procedure.opened_on",
    "procedure.visit_planned_on",
    "today",
]
PLACEHOLDERS.update(
    {
        DocumentKind.ABANDONMENT_NOTICE: [
            *_ABANDONMENT_COMMON,
            "concession.holders_text",
            "notice.recipients",
            "notice.date",
        ],
        DocumentKind.ABANDONMENT_REPORT: [
            *_ABANDONMENT_COMMON,
            "report.date",
            "report.is_second",
            "report.ordinal",
            "report.condition",
            "report.officials_present",
            "report.photo_count",
            "report.notes",
            "notice.date",
            "first_report.date",
            "first_notification.date",
        ],
        DocumentKind.ABANDONMENT_NOTIFICATION: [
            *_ABANDONMENT_COMMON,
            "concession.holders_text",
            "notification.recipients",
            "report.date",
            "report.is_second",
            "report.ordinal",
            "report.condition",
        ],
        DocumentKind.REPOSSESSION_ORDER: [
            *_ABANDONMENT_COMMON,
            "first_report.date",
            "first_notification.date",
            "second_report.date",
            "second_notification.date",
            "deliberation.date",
            "deliberation.reference",
            "order.date",
            "order.reference",
        ],
        DocumentKind.ABANDONMENT_LIST: ["commune.name", "register.count", "today"],
    }
)
