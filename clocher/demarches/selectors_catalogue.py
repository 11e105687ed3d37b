"""Reads of the shared catalogue: the operator's templates and a commune's adopted procedures.

Templates are the operator's (not commune-owned); a commune only ever sees the templates of its
own operator. Every function here runs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from clocher.demarches.models import Procedure, ProcedureTemplate, TemplateVersion
from clocher.tenancy.models import Commune


def templates_with_versions(operator: Any) -> QuerySet[ProcedureTemplate]:
    """The operator's templates, each with ``all_versions`` (newest first) prefetched."""
    return (
        ProcedureTemplate.objects.filter(operator=operator)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=TemplateVersion.objects.order_by("-number"),
                to_attr="all_versions",
            )
        )
        .order_by("slug")
    )


def operator_template(operator: Any, slug: str) -> ProcedureTemplate | None:
    return templates_with_versions(operator).filter(slug=slug).first()


def latest_published_versions(operator: Any) -> dict[int, TemplateVersion]:
    """The latest published version of each template of ``operator``, by template id."""
    latest: dict[int, TemplateVersion] = {}
    versions = (
        TemplateVersion.objects.filter(template__operator=operator, published_at__isnull=False)
        .select_related("template")
        .order_by("template_id", "-number")
    )
    for version in versions:
        latest.setdefault(version.template_id, version)
    return latest


@dataclass(frozen=True)
class ProcedureRow:
    procedure: Procedure
    update: TemplateVersion | None  # a newer template version the commune may review


@dataclass(frozen=True)
class CatalogueOverview:
    procedures: list[ProcedureRow]
    adoptable: list[TemplateVersion]  # latest version of each template not adopted yet


def catalogue_overview(commune: Commune) -> CatalogueOverview:
    """The commune's procedures (with available updates) and the templates it has not adopted."""
    latest = latest_published_versions(commune.operator_id)
    procedures = list(
        Procedure.objects.for_commune(commune)
        .select_related("adopted_version", "current_form")
        .order_by("title", "pk")
    )
    rows = []
    adopted_templates = set()
    for procedure in procedures:
        update = None
        if procedure.template_id is not None:
            adopted_templates.add(procedure.template_id)
            candidate = latest.get(procedure.template_id)
            adopted = procedure.adopted_version
            if candidate is not None and (adopted is None or candidate.number > adopted.number):
                update = candidate
        rows.append(ProcedureRow(procedure=procedure, update=update))
    adoptable = sorted(
        (
            version
            for template_id, version in latest.items()
            if template_id not in adopted_templates
        ),
        key=lambda version: version.title,
    )
    return CatalogueOverview(procedures=rows, adoptable=adoptable)


def adoptable_version(commune: Commune, slug: str) -> TemplateVersion | None:
    """The latest published version of the operator's template ``slug``, if not adopted yet."""
    if not slug or len(slug) > 80:
        return None
    template = ProcedureTemplate.objects.filter(operator_id=commune.operator_id, slug=slug).first()
    if template is None:
        return None
    if Procedure.objects.for_commune(commune).filter(template=template).exists():
        return None
    return template.latest_version()


def adoption_counts(operator: Any) -> dict[int, int]:
    """How many communes adopted each template of ``operator`` (console).

    Deliberately across the operator's communes: a count of adoptions, no commune data.
    """
    rows = (
        Procedure.objects.filter(template__operator=operator)
        .order_by()
        .values("template_id")
        .annotate(total=Count("commune_id", distinct=True))
    )
    return {row["template_id"]: row["total"] for row in rows}
