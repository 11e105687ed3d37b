"""The abandonment procedure, step by step, with each step's legal precondition and delay.

CGCT L2223-17 and R2223-12 to R2223-23 (delay between the two reports shortened to one year by
the "3DS" law of 21 February 2022):

1. notice to known descendants (registered letter) or public posting, at least one month before
   the site visit (R2223-13);
2. first report (procès-verbal) on site, stating the exact place and precise condition of the
   grave, in the presence of a police officer, garde champêtre or municipal police officer
   (R2223-13, R2223-14);
3. notification of the report to the family within eight days, with posting at the town hall and
   the cemetery gate (R2223-13 to R2223-15);
4. one year later at the earliest, if the state is unchanged, a second report (R2223-18);
5. its notification, in the same way (R2223-18);
6. one month after that notification at the earliest, the council's deliberation (L2223-17,
   R2223-18);
7. the mayor's repossession order (L2223-17; executory once published and notified, R2223-19);
8. the remains go to the ossuary in a suitable coffin (R2223-20), or are cremated unless the
   deceased objected; names are entered in the ossuary register (L2223-4).

Each step is an action: ``check()`` raises :class:`LegalRefusal` with the reason in plain French,
``execute()`` records it. A step is recorded once; nothing is ever deleted. The family may restore
the grave at any time before the order, which closes the procedure.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from clocher.cimetiere.legal_clock import (
    LegalRefusal,
    add_months,
    add_years,
    concession_clock,
    format_date,
    register_under_procedure_provider,
)
from clocher.cimetiere.models import (
    STEP_ORDER,
    AbandonmentOutcome,
    AbandonmentProcedure,
    AbandonmentStep,
    AbandonmentStepRecord,
    Burial,
    Concession,
    ConcessionEndReason,
    Operation,
    OperationKind,
    OssuaryEntry,
)
from clocher.tenancy.models import Commune

NOTIFICATION_DAYS = 8
WAIT_BETWEEN_REPORTS_YEARS = 1
WAIT_BEFORE_DELIBERATION_MONTHS = 1
NOTICE_BEFORE_VISIT_MONTHS = 1
STEP_FIELDS = {"condition", "officials_present", "recipients", "was_posted", "reference", "notes"}


@dataclass(frozen=True)
class StepWindow:
    """When the next step may be taken: not before ``earliest``, not after ``latest``."""

    step: AbandonmentStep
    earliest: datetime.date | None
    latest: datetime.date | None


def _done(procedure: AbandonmentProcedure) -> dict[str, AbandonmentStepRecord]:
    return {record.step: record for record in procedure.steps.all()}


def next_step(procedure: AbandonmentProcedure) -> StepWindow | None:
    """The step due next and its legal window, or None when the procedure is over."""
    if procedure.closed_on is not None:
        return None
    done = _done(procedure)
    for step in STEP_ORDER:
        if step in done:
            continue
        return StepWindow(step, *_window(procedure, step, done))
    return None


def _window(
    procedure: AbandonmentProcedure, step: str, done: dict[str, AbandonmentStepRecord]
) -> tuple[datetime.date | None, datetime.date | None]:
    def on(name: AbandonmentStep) -> datetime.date:
        return done[name].done_on

    if step == AbandonmentStep.NOTICE:
        return None, add_months(procedure.visit_planned_on, -NOTICE_BEFORE_VISIT_MONTHS)
    if step == AbandonmentStep.FIRST_REPORT:
        return add_months(on(AbandonmentStep.NOTICE), NOTICE_BEFORE_VISIT_MONTHS), None
    if step == AbandonmentStep.FIRST_NOTIFICATION:
        report = on(AbandonmentStep.FIRST_REPORT)
        return report, report + datetime.timedelta(days=NOTIFICATION_DAYS)
    if step == AbandonmentStep.SECOND_REPORT:
        return add_years(on(AbandonmentStep.FIRST_NOTIFICATION), WAIT_BETWEEN_REPORTS_YEARS), None
    if step == AbandonmentStep.SECOND_NOTIFICATION:
        report = on(AbandonmentStep.SECOND_REPORT)
        return report, report + datetime.timedelta(days=NOTIFICATION_DAYS)
    if step == AbandonmentStep.COUNCIL_DELIBERATION:
        notified = on(AbandonmentStep.SECOND_NOTIFICATION)
        return add_months(notified, WAIT_BEFORE_DELIBERATION_MONTHS), None
    if step == AbandonmentStep.MAYOR_ORDER:
        return on(AbandonmentStep.COUNCIL_DELIBERATION), None
    return on(AbandonmentStep.MAYOR_ORDER), None


# --- Opening ------------------------------------------------------------------------------------


@dataclass
class OpenProcedure:
    commune: Commune
    actor: Any
    concession: Concession
    today: datetime.date
    visit_planned_on: datetime.date

    def check(self) -> None:
        if self.concession.commune_id != self.commune.pk:
            raise LegalRefusal("Cette concession n'appartient pas à la commune.")
        if (
            AbandonmentProcedure.objects.for_commune(self.commune)
            .filter(concession=self.concession, closed_on__isnull=True)
            .exists()
        ):
            raise LegalRefusal("Une procédure de reprise est déjà en cours pour cette concession.")
        clock = concession_clock(self.concession, today=self.today)
        if not clock.abandonment_eligible:
            reasons = " ; ".join(clock.abandonment_reasons) or "conditions non remplies"
            raise LegalRefusal(
                f"Cette concession ne peut pas faire l'objet d'une reprise pour abandon : "
                f"{reasons} (article R2223-12 du CGCT).",
                article="R2223-12",
            )
        if self.visit_planned_on < add_months(self.today, NOTICE_BEFORE_VISIT_MONTHS):
            raise LegalRefusal(
                "La visite sur place doit être prévue au moins un mois après l'envoi des avis "
                f"aux descendants : pas avant le "
                f"{format_date(add_months(self.today, NOTICE_BEFORE_VISIT_MONTHS))} "
                "(article R2223-13 du CGCT).",
                article="R2223-13",
            )

    @transaction.atomic
    def execute(self) -> AbandonmentProcedure:
        self.check()
        return AbandonmentProcedure.objects.create(
            commune=self.commune,
            concession=self.concession,
            opened_on=self.today,
            visit_planned_on=self.visit_planned_on,
            opened_by=self.actor if getattr(self.actor, "pk", None) else None,
        )


# --- Steps --------------------------------------------------------------------------------------


@dataclass
class RecordStep:
    """Record one step of a procedure. ``fields`` are the step's facts (``condition``,
    ``officials_present``, ``recipients``, ``was_posted``, ``reference``, ``notes``)."""

    commune: Commune
    actor: Any
    procedure: AbandonmentProcedure
    step: str
    done_on: datetime.date
    today: datetime.date
    fields: dict[str, Any]

    def check(self) -> None:
        if self.procedure.commune_id != self.commune.pk:
            raise LegalRefusal("Cette procédure n'appartient pas à la commune.")
        if self.procedure.closed_on is not None:
            raise LegalRefusal("Cette procédure est close.")
        if self.done_on > self.today:
            raise LegalRefusal("Une étape ne peut pas être enregistrée à une date future.")
        window = next_step(self.procedure)
        if window is None or window.step != self.step:
            expected = AbandonmentStep(window.step).label if window else ""
            raise LegalRefusal(
                f"Les étapes se suivent dans l'ordre prévu par la loi : l'étape attendue est "
                f"« {expected} »."
            )
        if window.earliest is not None and self.done_on < window.earliest:
            raise LegalRefusal(_too_early_message(self.step, window.earliest))
        if window.latest is not None and self.done_on > window.latest:
            raise LegalRefusal(_too_late_message(self.step, window.latest))
        self._check_content()

    def _check_content(self) -> None:
        step = self.step
        if step in (AbandonmentStep.FIRST_REPORT, AbandonmentStep.SECOND_REPORT):
            if not (self.fields.get("condition") or "").strip():
                raise LegalRefusal(
                    "Le procès-verbal doit décrire avec précision l'état de la sépulture "
                    "(article R2223-14 du CGCT).",
                    article="R2223-14",
                )
            if not (self.fields.get("officials_present") or "").strip():
                raise LegalRefusal(
                    "Le procès-verbal est dressé en présence d'un fonctionnaire de police, d'un "
                    "garde champêtre ou d'un policier municipal : indiquez qui était présent "
                    "(article R2223-13 du CGCT).",
                    article="R2223-13",
                )
        if step in (
            AbandonmentStep.NOTICE,
            AbandonmentStep.FIRST_NOTIFICATION,
            AbandonmentStep.SECOND_NOTIFICATION,
        ):
            has_recipients = bool((self.fields.get("recipients") or "").strip())
            if not has_recipients and not self.fields.get("was_posted"):
                raise LegalRefusal(
                    "Indiquez les descendants ou successeurs avisés, ou, si aucun n'est connu, "
                    "l'affichage en mairie et à la porte du cimetière (article R2223-13 du CGCT).",
                    article="R2223-13",
                )
        has_reference = bool((self.fields.get("reference") or "").strip())
        if step in (AbandonmentStep.COUNCIL_DELIBERATION, AbandonmentStep.MAYOR_ORDER) and (
            not has_reference
        ):
            raise LegalRefusal("Indiquez la référence de la délibération ou de l'arrêté.")

    @transaction.atomic
    def execute(self) -> AbandonmentStepRecord:
        self.check()
        allowed = {
            "condition",
            "officials_present",
            "recipients",
            "was_posted",
            "reference",
            "notes",
        }
        record = AbandonmentStepRecord.objects.create(
            commune=self.commune,
            procedure=self.procedure,
            step=self.step,
            done_on=self.done_on,
            recorded_by=self.actor if getattr(self.actor, "pk", None) else None,
            **{key: value for key, value in self.fields.items() if key in allowed},
        )
        if self.step == AbandonmentStep.MAYOR_ORDER:
            concession = self.procedure.concession
            concession.ended_on = self.done_on
            concession.end_reason = ConcessionEndReason.REPOSSESSED_ABANDONED
            concession.save(update_fields=["ended_on", "end_reason"])
        if self.step == AbandonmentStep.EXHUMATION:
            _move_remains_to_ossuary(self.procedure, self.done_on, self.actor)
            self.procedure.closed_on = self.done_on
            self.procedure.outcome = AbandonmentOutcome.REPOSSESSED
            self.procedure.save(update_fields=["closed_on", "outcome"])
        return record


def _too_early_message(step: str, earliest: datetime.date) -> str:
    reasons: dict[str, str] = {
        AbandonmentStep.FIRST_REPORT: "un mois au moins après l'avis aux descendants (R2223-13)",
        AbandonmentStep.SECOND_REPORT: (
            "un an au moins après la notification et l'affichage du premier constat "
            "(L2223-17, R2223-18)"
        ),
        AbandonmentStep.COUNCIL_DELIBERATION: (
            "un mois au moins après la notification du second constat (R2223-18)"
        ),
    }
    why = reasons.get(step, "après l'étape précédente")
    return (
        f"Trop tôt : cette étape ne peut avoir lieu qu'à partir du {format_date(earliest)}, {why}."
    )


def _too_late_message(step: str, latest: datetime.date) -> str:
    if step == AbandonmentStep.NOTICE:
        return (
            f"Trop tard : les avis doivent partir au plus tard le {format_date(latest)}, un mois "
            "avant la visite prévue (R2223-13). Reportez la visite."
        )
    return (
        f"Trop tard : la notification devait être faite dans les huit jours, au plus tard le "
        f"{format_date(latest)} (R2223-13 à R2223-15). Abandonnez cette procédure et ouvrez-en "
        "une nouvelle : un nouveau constat est nécessaire."
    )


def _move_remains_to_ossuary(
    procedure: AbandonmentProcedure, day: datetime.date, actor: Any
) -> None:
    """R2223-20: remains to the ossuary; those who objected to cremation are kept apart; every
    name goes to the ossuary register, even when no remains were found (L2223-4)."""
    concession = procedure.concession
    burials = (
        Burial.objects.for_commune(procedure.commune)
        .filter(plot=concession.plot, is_present=True)
        .select_related("deceased")
    )
    for burial in burials:
        operation = Operation.objects.create(
            commune=procedure.commune,
            kind=OperationKind.EXHUMATION,
            plot=concession.plot,
            burial=burial,
            deceased=burial.deceased,
            performed_on=day,
            destination="Ossuaire communal (reprise pour état d'abandon)",
            notes=f"Procédure de reprise n° {procedure.pk}",
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        OssuaryEntry.objects.create(
            commune=procedure.commune,
            deceased=burial.deceased,
            full_name=str(burial.deceased),
            moved_on=day,
            from_plot=concession.plot,
            kept_apart=burial.deceased.objected_to_cremation,
            operation=operation,
        )
        burial.is_present = False
        burial.left_on = day
        burial.save(update_fields=["is_present", "left_on"])


@transaction.atomic
def procedure_close_restored(
    *, commune: Commune, actor: Any, procedure: AbandonmentProcedure, on: datetime.date
) -> AbandonmentProcedure:
    """The family restored the grave: the procedure stops (possible until the mayor's order)."""
    return _close(procedure=procedure, commune=commune, on=on, outcome=AbandonmentOutcome.RESTORED)


@transaction.atomic
def procedure_cancel(
    *, commune: Commune, actor: Any, procedure: AbandonmentProcedure, on: datetime.date
) -> AbandonmentProcedure:
    """The commune gives the procedure up, typically because a delay was missed (a notification
    after eight days): the record stays, and a new procedure may be opened on the concession."""
    return _close(procedure=procedure, commune=commune, on=on, outcome=AbandonmentOutcome.CANCELLED)


def _close(
    *, procedure: AbandonmentProcedure, commune: Commune, on: datetime.date, outcome: str
) -> AbandonmentProcedure:
    if procedure.commune_id != commune.pk or procedure.closed_on is not None:
        raise LegalRefusal("Cette procédure est déjà close.")
    if procedure.steps.filter(step=AbandonmentStep.MAYOR_ORDER).exists():
        raise LegalRefusal("L'arrêté de reprise a été pris : la procédure ne peut plus s'arrêter.")
    procedure.closed_on = on
    procedure.outcome = outcome
    procedure.save(update_fields=["closed_on", "outcome"])
    return procedure


def procedures_in_progress(commune: Commune) -> QuerySet[AbandonmentProcedure]:
    """The list of concessions under procedure that the town hall keeps (R2223-16 to R2223-17)."""
    return (
        AbandonmentProcedure.objects.for_commune(commune)
        .filter(closed_on__isnull=True)
        .select_related("concession__plot__section__cemetery")
        .prefetch_related("steps")
        .order_by("opened_on", "id")
    )


def _plots_under_procedure(commune: Commune) -> set[int]:
    return set(
        AbandonmentProcedure.objects.for_commune(commune)
        .filter(closed_on__isnull=True)
        .values_list("concession__plot_id", flat=True)
    )


register_under_procedure_provider(_plots_under_procedure)


@transaction.atomic
def procedure_reschedule_visit(
    *,
    commune: Commune,
    actor: Any,
    procedure: AbandonmentProcedure,
    visit_planned_on: datetime.date,
    today: datetime.date,
) -> AbandonmentProcedure:
    """Move the planned site visit while the notices have not gone out: the notice must leave at
    least a month before the visit (R2223-13), so a visit that came too close is postponed."""
    if procedure.commune_id != commune.pk or procedure.closed_on is not None:
        raise LegalRefusal("Cette procédure est close.")
    if procedure.steps.filter(step=AbandonmentStep.NOTICE).exists():
        raise LegalRefusal(
            "Les avis aux descendants sont partis : la date de la visite annoncée ne peut plus "
            "changer (article R2223-13 du CGCT).",
            article="R2223-13",
        )
    earliest = add_months(today, NOTICE_BEFORE_VISIT_MONTHS)
    if visit_planned_on < earliest:
        raise LegalRefusal(
            "La visite sur place doit être prévue au moins un mois après l'envoi des avis aux "
            f"descendants : pas avant le {format_date(earliest)} (article R2223-13 du CGCT).",
            article="R2223-13",
        )
    procedure.visit_planned_on = visit_planned_on
    procedure.save(update_fields=["visit_planned_on"])
    return procedure
