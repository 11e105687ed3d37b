"""Documents of the abandonment procedure (reprise pour état d'abandon, CGCT L2223-17 and
R2223-12 to R2223-23), drawn from the shared templates like every other cemetery document:

- the notice to descendants or the public posting, a month before the visit (R2223-13);
- each report (procès-verbal de constat d'abandon, R2223-13, R2223-14), blank to take on site
  when the step is not recorded yet;
- the notification of the latest report with the formal notice to restore (R2223-13 to R2223-15);
- the mayor's repossession order (L2223-17, R2223-19, R2223-20);
- the list of concessions under procedure kept at the town hall (R2223-16, R2223-17).

The notice and the notification name living people (holders, recipients: sealed in the vault);
the report, the order and the list do not.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from clocher.cimetiere.documents import values as v
from clocher.cimetiere.documents.pdf import Document, Table, _base_values, _document, _slug
from clocher.cimetiere.models import (
    AbandonmentProcedure,
    AbandonmentStep,
    AbandonmentStepRecord,
    DocumentKind,
)
from clocher.cimetiere.services.abandonment import (
    StepWindow,
    next_step,
    procedures_in_progress,
)
from clocher.tenancy.models import Commune

REPORT_STEPS = (AbandonmentStep.FIRST_REPORT, AbandonmentStep.SECOND_REPORT)


@dataclass(frozen=True)
class ProcedureRow:
    """One line of the list of concessions under procedure."""

    procedure: AbandonmentProcedure
    plot_label: str
    current_step: str
    window: StepWindow | None
    window_text: str
    is_overdue: bool

    @property
    def next_step_label(self) -> str:
        return str(AbandonmentStep(self.window.step).label) if self.window else ""


def window_text(window: StepWindow | None, *, today: datetime.date) -> str:
    """« à faire entre le … et le … », « à partir du … », « au plus tard le … »."""
    if window is None:
        return ""
    earliest, latest = window.earliest, window.latest
    if earliest is not None and latest is not None:
        return f"à faire entre le {v.french_date(earliest)} et le {v.french_date(latest)}"
    if earliest is not None:
        return f"à partir du {v.french_date(earliest)}"
    if latest is not None:
        return f"au plus tard le {v.french_date(latest)}"
    return "dès maintenant"


def is_overdue(window: StepWindow | None, *, today: datetime.date) -> bool:
    return window is not None and window.latest is not None and window.latest < today


def _records(procedure: AbandonmentProcedure) -> dict[str, AbandonmentStepRecord]:
    return {record.step: record for record in procedure.steps.all()}


def current_step_label(procedure: AbandonmentProcedure) -> str:
    records = _records(procedure)
    done = [step for step in AbandonmentStep if step in records]
    if not done:
        return gettext("Procédure ouverte, aucune étape faite")
    return str(AbandonmentStep(done[-1]).label)


def procedure_rows(commune: Commune, *, today: datetime.date) -> list[ProcedureRow]:
    """The procedures in progress with their next step (two queries, whatever their number)."""
    rows = []
    for procedure in procedures_in_progress(commune):
        plot = procedure.concession.plot
        window = next_step(procedure)
        rows.append(
            ProcedureRow(
                procedure=procedure,
                plot_label=(
                    f"{plot.section.cemetery.name}, carré {plot.section.name}, n° {plot.number}"
                ),
                current_step=current_step_label(procedure),
                window=window,
                window_text=window_text(window, today=today),
                is_overdue=is_overdue(window, today=today),
            )
        )
    return rows


# --- Values handed to the templates ------------------------------------------------------------


def _record_values(record: AbandonmentStepRecord | None, *, with_people: bool) -> dict[str, Any]:
    if record is None:
        return {}
    values: dict[str, Any] = {
        "date": v.french_date(record.done_on),
        "condition": record.condition,
        "officials_present": record.officials_present,
        "was_posted": record.was_posted,
        "reference": record.reference,
        "notes": record.notes,
    }
    if with_people:
        values["recipients"] = record.recipients
    return values


def procedure_values(
    procedure: AbandonmentProcedure, *, today: datetime.date, with_people: bool
) -> dict[str, Any]:
    concession = procedure.concession
    commune = procedure.commune
    records = _records(procedure)
    values = _base_values(commune, today)
    values["concession"] = v.concession_values(concession, today=today, with_people=with_people)
    values["plot"] = v.plot_values(concession.plot)
    values["procedure"] = {
        "opened_on": v.french_date(procedure.opened_on),
        "visit_planned_on": v.french_date(procedure.visit_planned_on),
    }
    names = {
        "notice": AbandonmentStep.NOTICE,
        "first_report": AbandonmentStep.FIRST_REPORT,
        "first_notification": AbandonmentStep.FIRST_NOTIFICATION,
        "second_report": AbandonmentStep.SECOND_REPORT,
        "second_notification": AbandonmentStep.SECOND_NOTIFICATION,
        "deliberation": AbandonmentStep.COUNCIL_DELIBERATION,
        "order": AbandonmentStep.MAYOR_ORDER,
    }
    for name, step in names.items():
        values[name] = _record_values(records.get(step), with_people=with_people)
    return values


def _load(procedure: AbandonmentProcedure) -> AbandonmentProcedure:
    return (
        AbandonmentProcedure.objects.filter(pk=procedure.pk, commune_id=procedure.commune_id)
        .select_related(
            "commune",
            "concession__plot__cemetery",
            "concession__plot__section",
            "concession__plot__row",
        )
        .prefetch_related("steps__photos")
        .get()
    )


def _filename(prefix: str, values: dict[str, Any]) -> str:
    return f"{prefix}-{_slug(values['concession']['number'])}.pdf"


def notice_document(procedure: AbandonmentProcedure, *, today: datetime.date) -> Document:
    """The notice to descendants, or the notice posted when none is known (R2223-13)."""
    procedure = _load(procedure)
    values = procedure_values(procedure, today=today, with_people=True)
    return _document(
        procedure.commune,
        DocumentKind.ABANDONMENT_NOTICE,
        values,
        today=today,
        filename=_filename("avis-abandon", values),
    )


def report_document(
    procedure: AbandonmentProcedure, *, second: bool, today: datetime.date
) -> Document:
    """The first or second report (R2223-13, R2223-14, R2223-18); blank lines to fill on site
    while the step is not recorded."""
    procedure = _load(procedure)
    values = procedure_values(procedure, today=today, with_people=False)
    step = AbandonmentStep.SECOND_REPORT if second else AbandonmentStep.FIRST_REPORT
    record = _records(procedure).get(step)
    report = _record_values(record, with_people=False)
    report["is_second"] = second
    report["ordinal"] = "second" if second else "premier"
    report["photo_count"] = len(record.photos.all()) if record is not None else 0
    values["report"] = report
    return _document(
        procedure.commune,
        DocumentKind.ABANDONMENT_REPORT,
        values,
        today=today,
        filename=_filename("proces-verbal-2" if second else "proces-verbal-1", values),
        signature="Le maire,\n\nLes personnes présentes :",
    )


def notification_document(procedure: AbandonmentProcedure, *, today: datetime.date) -> Document:
    """Notification of the latest report, with formal notice to restore the grave (R2223-15).
    ``ValueError`` when no report has been recorded yet."""
    procedure = _load(procedure)
    records = _records(procedure)
    second = AbandonmentStep.SECOND_REPORT in records
    report_record = records.get(
        AbandonmentStep.SECOND_REPORT if second else AbandonmentStep.FIRST_REPORT
    )
    if report_record is None:
        raise ValueError("No report to notify yet.")
    values = procedure_values(procedure, today=today, with_people=True)
    report = _record_values(report_record, with_people=False)
    report["is_second"] = second
    report["ordinal"] = "second" if second else "premier"
    values["report"] = report
    values["notification"] = values["second_notification" if second else "first_notification"]
    return _document(
        procedure.commune,
        DocumentKind.ABANDONMENT_NOTIFICATION,
        values,
        today=today,
        filename=_filename("notification-abandon", values),
    )


def repossession_order_document(
    procedure: AbandonmentProcedure, *, today: datetime.date
) -> Document:
    """The mayor's repossession order (L2223-17), to sign after the council's deliberation."""
    procedure = _load(procedure)
    values = procedure_values(procedure, today=today, with_people=False)
    return _document(
        procedure.commune,
        DocumentKind.REPOSSESSION_ORDER,
        values,
        today=today,
        filename=_filename("arrete-reprise", values),
    )


def abandonment_list_document(commune: Commune, *, today: datetime.date) -> Document:
    """The list of concessions under procedure kept at the town hall (R2223-16, R2223-17)."""
    rows = procedure_rows(commune, today=today)
    values = _base_values(commune, today)
    values["register"] = {"count": len(rows)}
    table = Table(
        caption="Concessions en cours de procédure",
        headings=["Concession", "Emplacement", "Ouverte le", "Étape faite", "Étape suivante"],
        rows=[
            [
                row.procedure.concession.number or str(row.procedure.concession_id),
                row.plot_label,
                v.french_date(row.procedure.opened_on),
                row.current_step,
                f"{row.next_step_label} — {row.window_text}"
                + (" (EN RETARD)" if row.is_overdue else ""),
            ]
            for row in rows
        ],
        col_widths=(24, 44, 22, 38, 42),
        empty_text="Aucune concession en cours de procédure.",
    )
    return _document(
        commune,
        DocumentKind.ABANDONMENT_LIST,
        values,
        today=today,
        filename="liste-concessions-abandon.pdf",
        tables=[table],
        signature="Le maire,",
    )
