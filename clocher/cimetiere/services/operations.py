"""Funeral operations on a grave, as action objects: ``check()`` then ``execute()``.

Each action is built with everything the operation needs, ``check()`` raises
:class:`OperationRefusal` (a ``legal_clock.LegalRefusal``: plain French, the CGCT article, and the
form field it concerns) when a legal or physical precondition fails and collects ``warnings`` the
agent should read (e.g. the deceased is not a named beneficiary); ``execute()`` checks again and
writes, in one transaction, the facts (burial, exhumation…) and the :class:`Operation` row that
records who asked, who authorised, who attended, when, and who recorded it (R2213-40).

Nothing is destroyed: an exhumation marks the burial as no longer present (``is_present``,
``left_on``), the row stays in the plot's history; ossuary and scattering registers are
append-only (L2223-4, L2223-18-3).

Rules encoded here:

- burial: not before the death, no death in the future, capacity counting present burials, a
  concession plot needs a concession still in force or in its two-year renewal window (L2223-15),
  common ground: one coffin per grave, reopened five years after the last burial (R2223-5);
- exhumation, reduction, transfer: on the nearest relative's request with a sworn statement, the
  mayor's authorisation, and someone attending (R2213-40); a transfer checks the target plot;
- urn removal from a columbarium: the same rule (R2223-23-3);
- ash scattering: written in the register of ashes (L2223-18-3, R2213-39);
- move to the ossuary: written in the ossuary register even when no remains were found, kept
  apart when the deceased objected to cremation (L2223-4, R2223-20).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clocher.cimetiere.legal_clock import (
    COMMON_GROUND_ROTATION_YEARS,
    ConcessionState,
    LegalRefusal,
    add_years,
    concession_clock,
    format_date,
)
from clocher.cimetiere.models import (
    CONCEDABLE_KINDS,
    AshScatteringEntry,
    Burial,
    Concession,
    ConcessionScope,
    Container,
    Deceased,
    Operation,
    OperationKind,
    OssuaryEntry,
    Plot,
    PlotKind,
)
from clocher.cimetiere.selectors import fold
from clocher.tenancy.models import Commune
from clocher.tenancy.permissions import Capability, commune_abilities

NOT_A_GRAVE_KINDS = {PlotKind.OSSUARY, PlotKind.SCATTERING_GARDEN}
URN_ONLY_KINDS = {PlotKind.COLUMBARIUM_NICHE, PlotKind.URN_PLOT}


class OperationRefusal(LegalRefusal):
    """A refused operation; ``field`` names the form field the reason belongs to, if any."""

    def __init__(self, message: str, *, article: str = "", field: str | None = None) -> None:
        super().__init__(message, article=article)
        self.field = field


def present_burial_count(plot: Plot) -> int:
    return Burial.objects.for_commune(plot.commune).filter(plot=plot, is_present=True).count()


def current_concession(plot: Plot) -> Concession | None:
    """The concession in force on ``plot`` (not ended), the most recent if the register has
    several."""
    return (
        Concession.objects.for_commune(plot.commune)
        .filter(plot=plot, ended_on__isnull=True)
        .order_by("-act_date", "-id")
        .first()
    )


def may_authorise(user: Any, commune: Commune) -> bool:
    """Whether ``user`` may authorise a funeral operation in ``commune`` (the mayor or an elected
    deputy: L2213-8)."""
    if user is None:
        return False
    return bool(commune_abilities(user, commune).get(Capability.AUTHORISE_FUNERAL_OPERATION.value))


@dataclass
class Attendance:
    """Who asked, who authorised and who attended: the record R2213-40 requires."""

    requested_by: str = ""
    requester_relationship: str = ""
    sworn_statement_received: bool = False
    authorised_by: Any = None
    authorised_on: datetime.date | None = None
    attended_by: str = ""


@dataclass
class FuneralAction:
    """Base of every operation: the commune, who records it, and ``today`` (passed in)."""

    commune: Commune
    actor: Any
    today: datetime.date
    notes: str = field(default="", kw_only=True)
    warnings: list[str] = field(default_factory=list, init=False)

    kind: Any = field(default=None, init=False)

    def check(self) -> None:  # pragma: no cover - every action overrides it
        raise NotImplementedError

    def execute(self) -> Operation:  # pragma: no cover
        raise NotImplementedError

    # --- shared checks ---------------------------------------------------------------------

    def _check_not_future(self, day: datetime.date | None, field_name: str, label: str) -> None:
        if day is not None and day > self.today:
            raise OperationRefusal(
                _("La date %(what)s (%(date)s) est dans le futur.")
                % {"what": label, "date": format_date(day)},
                field=field_name,
            )

    def _check_same_commune(self, *objects: Any) -> None:
        for obj in objects:
            if obj is not None and obj.commune_id != self.commune.pk:
                raise OperationRefusal(_("Cet objet n'appartient pas à la commune."))

    def _record(
        self, *, plot: Plot, attendance: Attendance | None = None, **values: Any
    ) -> Operation:
        attendance = attendance or Attendance()
        return Operation.objects.create(
            commune=self.commune,
            kind=self.kind,
            plot=plot,
            requested_by=attendance.requested_by,
            requester_relationship=attendance.requester_relationship,
            sworn_statement_received=attendance.sworn_statement_received,
            authorised_by=attendance.authorised_by,
            authorised_on=attendance.authorised_on,
            attended_by=attendance.attended_by,
            notes=self.notes,
            recorded_by=self.actor,
            **values,
        )


def _check_placement(
    action: FuneralAction,
    *,
    plot: Plot,
    container: str,
    deceased_name: str,
    on: datetime.date,
    field_name: str = "plot",
) -> Concession | None:
    """May one more body or urn go into ``plot`` on ``on``? Returns the concession in force."""
    if plot.kind in NOT_A_GRAVE_KINDS:
        raise OperationRefusal(
            _("On n'inhume pas dans un emplacement de type « %(kind)s ».")
            % {"kind": plot.get_kind_display()},
            field=field_name,
        )
    if plot.kind in URN_ONLY_KINDS and container == Container.COFFIN:
        raise OperationRefusal(
            _("Un emplacement de type « %(kind)s » ne reçoit que des urnes (L2223-18).")
            % {"kind": plot.get_kind_display()},
            article="L2223-18",
            field="container",
        )
    present = present_burial_count(plot)
    if plot.kind == PlotKind.COMMON_GROUND:
        _check_common_ground(plot, present, on, field_name)
    elif present + 1 > plot.capacity:
        raise OperationRefusal(
            _(
                "L'emplacement %(plot)s est complet : %(present)s personne(s) y reposent pour "
                "%(capacity)s place(s)."
            )
            % {"plot": plot, "present": present, "capacity": plot.capacity},
            field=field_name,
        )
    if plot.kind not in CONCEDABLE_KINDS:
        return None
    concession = current_concession(plot)
    if concession is None:
        raise OperationRefusal(
            _(
                "L'emplacement %(plot)s n'a pas de concession en cours : accordez une concession "
                "avant d'y inhumer (L2223-13)."
            )
            % {"plot": plot},
            article="L2223-13",
            field=field_name,
        )
    clock = concession_clock(concession, today=on)
    if clock.state in (ConcessionState.REPOSSESSABLE, ConcessionState.ENDED):
        raise OperationRefusal(
            _(
                "La concession n° %(number)s a expiré le %(date)s et le délai de renouvellement "
                "de deux ans est passé : renouvelez-la ou accordez-en une nouvelle (L2223-15)."
            )
            % {
                "number": concession.number or "?",
                "date": format_date(clock.expires_on) if clock.expires_on else "?",
            },
            article="L2223-15",
            field=field_name,
        )
    if clock.state == ConcessionState.RENEWAL_WINDOW:
        action.warnings.append(
            _(
                "La concession n° %(number)s a expiré le %(date)s : elle est dans son délai de "
                "renouvellement ; pensez à la renouveler (L2223-15)."
            )
            % {
                "number": concession.number or "?",
                "date": format_date(clock.expires_on) if clock.expires_on else "?",
            }
        )
    if concession.scope in (ConcessionScope.INDIVIDUAL, ConcessionScope.COLLECTIVE):
        names = [holder.full_name for holder in concession.holders.all()]
        names += [beneficiary.full_name for beneficiary in concession.beneficiaries.all()]
        wanted = set(fold(deceased_name).split())
        if not any(wanted and wanted <= set(fold(name).split()) for name in names):
            action.warnings.append(
                _(
                    "%(name)s n'est pas nommé(e) parmi les titulaires ou les ayants droit de la "
                    "concession %(scope)s n° %(number)s : vérifiez l'acte avant d'inhumer."
                )
                % {
                    "name": deceased_name,
                    "scope": concession.get_scope_display().lower(),
                    "number": concession.number or "?",
                }
            )
    return concession


def _check_common_ground(plot: Plot, present: int, on: datetime.date, field_name: str) -> None:
    """Common ground: one coffin per grave, reopened only five years after the last burial
    (R2223-5)."""
    if present:
        raise OperationRefusal(
            _(
                "Le terrain commun %(plot)s est occupé : une seule personne par fosse en terrain "
                "commun (R2223-5)."
            )
            % {"plot": plot},
            article="R2223-5",
            field=field_name,
        )
    last = (
        Burial.objects.for_commune(plot.commune)
        .filter(plot=plot, buried_on__isnull=False)
        .order_by("-buried_on")
        .values_list("buried_on", flat=True)
        .first()
    )
    if last is not None:
        reopens = add_years(last, COMMON_GROUND_ROTATION_YEARS)
        if on < reopens:
            raise OperationRefusal(
                _(
                    "Cette fosse de terrain commun ne peut être rouverte qu'à partir du "
                    "%(date)s, cinq ans après la dernière inhumation (R2223-5)."
                )
                % {"date": format_date(reopens)},
                article="R2223-5",
                field=field_name,
            )


# --- Burial --------------------------------------------------------------------------------


@dataclass
class BurialAction(FuneralAction):
    """Place a deceased person (an existing record, or a new one from ``last_name``…) in a
    plot."""

    plot: Plot | None = None
    buried_on: datetime.date | None = None
    deceased: Deceased | None = None
    last_name: str = ""
    first_names: str = ""
    birth_name: str = ""
    birth_date: datetime.date | None = None
    death_date: datetime.date | None = None
    objected_to_cremation: bool = False
    container: str = Container.COFFIN
    place_in_plot: str = ""
    attendance: Attendance = field(default_factory=Attendance)

    def __post_init__(self) -> None:
        self.kind = OperationKind.BURIAL
        if self.deceased is not None:
            self.last_name = self.deceased.last_name
            self.first_names = self.deceased.first_names
            self.birth_date = self.deceased.birth_date
            self.death_date = self.deceased.death_date

    @property
    def deceased_name(self) -> str:
        return f"{self.first_names} {self.last_name}".strip()

    def check(self) -> None:
        self.warnings = []
        if self.plot is None:
            raise OperationRefusal(_("Choisissez l'emplacement."), field="plot")
        self._check_same_commune(self.plot, self.deceased)
        if not self.last_name.strip():
            raise OperationRefusal(_("Indiquez le nom du défunt."), field="last_name")
        authoriser = self.attendance.authorised_by
        if authoriser is not None and not may_authorise(authoriser, self.commune):
            raise OperationRefusal(
                _("Seuls le maire ou un adjoint ayant délégation autorisent une inhumation."),
                article="R2213-31",
                field="authorised_by",
            )
        if self.buried_on is None:
            raise OperationRefusal(_("Indiquez la date de l'inhumation."), field="buried_on")
        self._check_not_future(self.death_date, "death_date", _("de décès"))
        if self.birth_date and self.death_date and self.birth_date > self.death_date:
            raise OperationRefusal(
                _(
                    "La date de naissance (%(birth)s) est postérieure à la date de décès "
                    "(%(death)s)."
                )
                % {"birth": format_date(self.birth_date), "death": format_date(self.death_date)},
                field="birth_date",
            )
        if self.death_date and self.buried_on < self.death_date:
            raise OperationRefusal(
                _("L'inhumation (%(burial)s) ne peut pas précéder le décès (%(death)s).")
                % {"burial": format_date(self.buried_on), "death": format_date(self.death_date)},
                field="buried_on",
            )
        _check_placement(
            self,
            plot=self.plot,
            container=self.container,
            deceased_name=self.deceased_name,
            on=self.buried_on,
        )

    @transaction.atomic
    def execute(self) -> Operation:
        self.check()
        assert self.plot is not None
        deceased = self.deceased
        if deceased is None:
            deceased = Deceased.objects.create(
                commune=self.commune,
                last_name=self.last_name.strip(),
                first_names=self.first_names.strip(),
                birth_name=self.birth_name.strip(),
                birth_date=self.birth_date,
                death_date=self.death_date,
                objected_to_cremation=self.objected_to_cremation,
            )
        burial = Burial.objects.create(
            commune=self.commune,
            deceased=deceased,
            plot=self.plot,
            concession=current_concession(self.plot)
            if self.plot.kind in CONCEDABLE_KINDS
            else None,
            buried_on=self.buried_on,
            container=self.container,
            place_in_plot=self.place_in_plot,
        )
        return self._record(
            plot=self.plot,
            attendance=self.attendance,
            burial=burial,
            deceased=deceased,
            performed_on=self.buried_on,
        )


# --- Taking someone out: exhumation, reduction, transfer, urn removal ---------------------------


@dataclass
class _RemovalAction(FuneralAction):
    """Shared rule of exhumations (R2213-40) and urn removals (R2223-23-3): the nearest
    relative's request with a sworn statement, the mayor's authorisation, someone attending."""

    burial: Burial | None = None
    performed_on: datetime.date | None = None
    attendance: Attendance = field(default_factory=Attendance)
    destination: str = ""
    article: str = field(default="R2213-40", init=False)

    def _check_removal(self) -> Burial:
        burial = self.burial
        if burial is None:
            raise OperationRefusal(_("Choisissez le défunt concerné."), field="burial")
        self._check_same_commune(burial)
        if not burial.is_present:
            raise OperationRefusal(
                _("%(name)s ne repose plus dans cet emplacement.") % {"name": burial.deceased},
                field="burial",
            )
        if self.performed_on is None:
            raise OperationRefusal(_("Indiquez la date de l'opération."), field="performed_on")
        self._check_not_future(self.performed_on, "performed_on", _("de l'opération"))
        if burial.buried_on and self.performed_on < burial.buried_on:
            raise OperationRefusal(
                _("L'opération (%(date)s) ne peut pas précéder l'inhumation (%(burial)s).")
                % {"date": format_date(self.performed_on), "burial": format_date(burial.buried_on)},
                field="performed_on",
            )
        attendance = self.attendance
        article = self.article
        if not attendance.requested_by.strip() or not attendance.requester_relationship.strip():
            raise OperationRefusal(
                _(
                    "L'opération n'est possible qu'à la demande du plus proche parent du défunt : "
                    "indiquez son nom et son lien de parenté (article %(article)s du CGCT)."
                )
                % {"article": article},
                article=article,
                field="requested_by"
                if not attendance.requested_by.strip()
                else "requester_relationship",
            )
        if not attendance.sworn_statement_received:
            raise OperationRefusal(
                _(
                    "Le plus proche parent doit signer une attestation sur l'honneur (qualité, "
                    "absence d'autre parent de même rang ou leur accord) : elle n'a pas été reçue "
                    "(article %(article)s du CGCT)."
                )
                % {"article": article},
                article=article,
                field="sworn_statement_received",
            )
        if not may_authorise(attendance.authorised_by, self.commune):
            raise OperationRefusal(
                _(
                    "L'opération doit être autorisée par le maire ou un adjoint ayant délégation "
                    "(article %(article)s du CGCT)."
                )
                % {"article": article},
                article=article,
                field="authorised_by",
            )
        if attendance.authorised_on is None:
            attendance.authorised_on = self.today
        if attendance.authorised_on > self.performed_on:
            raise OperationRefusal(
                _("L'autorisation (%(auth)s) doit précéder l'opération (%(date)s).")
                % {
                    "auth": format_date(attendance.authorised_on),
                    "date": format_date(self.performed_on),
                },
                article=article,
                field="authorised_on",
            )
        if not attendance.attended_by.strip():
            raise OperationRefusal(
                _(
                    "Un parent ou un mandataire de la famille doit assister à l'opération ; sinon "
                    "elle n'a pas lieu (article %(article)s du CGCT)."
                )
                % {"article": article},
                article=article,
                field="attended_by",
            )
        return burial

    def _take_out(self, burial: Burial) -> None:
        burial.is_present = False
        burial.left_on = self.performed_on
        burial.save(update_fields=["is_present", "left_on"])


@dataclass
class ExhumationAction(_RemovalAction):
    """Exhumation (R2213-40): the burial is no longer present; ``destination`` says where the
    remains go."""

    def __post_init__(self) -> None:
        self.kind = OperationKind.EXHUMATION

    def check(self) -> None:
        self.warnings = []
        burial = self._check_removal()
        if burial.plot.kind == PlotKind.COLUMBARIUM_NICHE:
            raise OperationRefusal(
                _("Une urne se retire d'une case de columbarium : choisissez « retrait d'urne »."),
                field="burial",
            )
        if not self.destination.strip():
            raise OperationRefusal(
                _("Indiquez la destination des restes (autre sépulture, crémation, ossuaire…)."),
                field="destination",
            )

    @transaction.atomic
    def execute(self) -> Operation:
        self.check()
        assert self.burial is not None
        self._take_out(self.burial)
        return self._record(
            plot=self.burial.plot,
            attendance=self.attendance,
            burial=self.burial,
            deceased=self.burial.deceased,
            performed_on=self.performed_on,
            destination=self.destination.strip(),
        )


@dataclass
class UrnRemovalAction(_RemovalAction):
    """Removal of an urn from a columbarium niche or urn plot: the rule of exhumations
    (R2223-23-3)."""

    def __post_init__(self) -> None:
        self.kind = OperationKind.URN_REMOVAL
        self.article = "R2223-23-3"

    def check(self) -> None:
        self.warnings = []
        burial = self._check_removal()
        if burial.container != Container.URN:
            raise OperationRefusal(_("Seule une urne peut être retirée ainsi."), field="burial")
        if not self.destination.strip():
            raise OperationRefusal(
                _("Indiquez la destination de l'urne (R2213-39)."), field="destination"
            )

    @transaction.atomic
    def execute(self) -> Operation:
        self.check()
        assert self.burial is not None
        self._take_out(self.burial)
        return self._record(
            plot=self.burial.plot,
            attendance=self.attendance,
            burial=self.burial,
            deceased=self.burial.deceased,
            performed_on=self.performed_on,
            destination=self.destination.strip(),
        )


@dataclass
class ReductionAction(_RemovalAction):
    """Reduction of remains (réduction de corps) inside the same grave, to make room: treated as
    an exhumation (R2213-40); the burial stays present, in a remains box."""

    def __post_init__(self) -> None:
        self.kind = OperationKind.REDUCTION

    def check(self) -> None:
        self.warnings = []
        burial = self._check_removal()
        if burial.container == Container.URN:
            raise OperationRefusal(_("On ne réduit pas une urne."), field="burial")

    @transaction.atomic
    def execute(self) -> Operation:
        self.check()
        assert self.burial is not None
        self.burial.container = Container.REMAINS_BOX
        self.burial.save(update_fields=["container"])
        return self._record(
            plot=self.burial.plot,
            attendance=self.attendance,
            burial=self.burial,
            deceased=self.burial.deceased,
            performed_on=self.performed_on,
            destination=_("Même emplacement (reliquaire)"),
        )


@dataclass
class TransferAction(_RemovalAction):
    """Transfer (translation) to another plot of the commune: an exhumation (R2213-40) then a
    burial in ``target_plot``, whose capacity and concession are checked."""

    target_plot: Plot | None = None

    def __post_init__(self) -> None:
        self.kind = OperationKind.TRANSFER

    def check(self) -> None:
        self.warnings = []
        burial = self._check_removal()
        if self.target_plot is None:
            raise OperationRefusal(_("Choisissez l'emplacement d'arrivée."), field="target_plot")
        self._check_same_commune(self.target_plot)
        if self.target_plot.pk == burial.plot_id:
            raise OperationRefusal(
                _("L'emplacement d'arrivée est celui de départ."), field="target_plot"
            )
        assert self.performed_on is not None
        _check_placement(
            self,
            plot=self.target_plot,
            container=burial.container,
            deceased_name=str(burial.deceased),
            on=self.performed_on,
            field_name="target_plot",
        )

    @transaction.atomic
    def execute(self) -> Operation:
        self.check()
        assert self.burial is not None and self.target_plot is not None
        self._take_out(self.burial)
        target = self.target_plot
        arrival = Burial.objects.create(
            commune=self.commune,
            deceased=self.burial.deceased,
            plot=target,
            concession=current_concession(target) if target.kind in CONCEDABLE_KINDS else None,
            buried_on=self.performed_on,
            container=self.burial.container,
        )
        operation = self._record(
            plot=self.burial.plot,
            attendance=self.attendance,
            burial=self.burial,
            deceased=self.burial.deceased,
            performed_on=self.performed_on,
            destination=str(target)[:200],
        )
        self._record(
            plot=target,
            attendance=self.attendance,
            burial=arrival,
            deceased=self.burial.deceased,
            performed_on=self.performed_on,
            destination=_("Arrivée depuis %(plot)s") % {"plot": self.burial.plot},
        )
        return operation


# --- Ashes and ossuary --------------------------------------------------------------------


@dataclass
class AshScatteringAction(FuneralAction):
    """Scattering of ashes in the cemetery's garden or in nature, entered in the register of
    ashes (L2223-18-3); the destination of the ashes is declared by the person in charge of the
    funeral (R2213-39). When the urn was in a niche (``burial``), it leaves it."""

    deceased: Deceased | None = None
    scattered_on: datetime.date | None = None
    place: str = ""
    in_nature: bool = False
    garden: Plot | None = None
    burial: Burial | None = None
    birth_place: str = ""
    attendance: Attendance = field(default_factory=Attendance)

    def __post_init__(self) -> None:
        self.kind = OperationKind.ASH_SCATTERING

    def check(self) -> None:
        self.warnings = []
        if self.deceased is None:
            raise OperationRefusal(_("Choisissez le défunt."), field="deceased")
        self._check_same_commune(self.deceased, self.garden, self.burial)
        if self.scattered_on is None:
            raise OperationRefusal(_("Indiquez la date de la dispersion."), field="scattered_on")
        self._check_not_future(self.scattered_on, "scattered_on", _("de la dispersion"))
        death = self.deceased.death_date
        if death and self.scattered_on < death:
            raise OperationRefusal(
                _("La dispersion ne peut pas précéder le décès (%(death)s).")
                % {"death": format_date(death)},
                field="scattered_on",
            )
        if not self.attendance.requested_by.strip():
            raise OperationRefusal(
                _(
                    "Indiquez la personne qui a qualité pour pourvoir aux funérailles et déclare "
                    "la destination des cendres (R2213-39)."
                ),
                article="R2213-39",
                field="requested_by",
            )
        if self.in_nature:
            if not self.place.strip():
                raise OperationRefusal(
                    _("Indiquez le lieu de la dispersion en pleine nature (L2223-18-3)."),
                    article="L2223-18-3",
                    field="place",
                )
        elif self.garden is None or self.garden.kind != PlotKind.SCATTERING_GARDEN:
            raise OperationRefusal(
                _("Choisissez le jardin du souvenir où les cendres sont dispersées."),
                field="garden",
            )
        if self.burial is not None:
            if self.burial.deceased_id != self.deceased.pk or not self.burial.is_present:
                raise OperationRefusal(_("Cette urne n'est pas celle du défunt."), field="burial")
            if self.burial.container != Container.URN:
                raise OperationRefusal(_("Seules des cendres se dispersent."), field="burial")

    @transaction.atomic
    def execute(self) -> Operation | None:  # type: ignore[override]
        """Writes the register entry; the :class:`Operation` is attached to the garden or to the
        niche the urn left (none when ashes kept at home are scattered in nature)."""
        self.check()
        assert self.deceased is not None and self.scattered_on is not None
        plot = self.garden or (self.burial.plot if self.burial is not None else None)
        operation = None
        if self.burial is not None:
            self.burial.is_present = False
            self.burial.left_on = self.scattered_on
            self.burial.save(update_fields=["is_present", "left_on"])
        if plot is not None:
            operation = self._record(
                plot=plot,
                attendance=self.attendance,
                burial=self.burial,
                deceased=self.deceased,
                performed_on=self.scattered_on,
                destination=(self.place.strip() or str(self.garden))[:200],
            )
        AshScatteringEntry.objects.create(
            commune=self.commune,
            deceased=self.deceased,
            full_name=str(self.deceased)[:300],
            birth_date=self.deceased.birth_date,
            birth_place=self.birth_place.strip(),
            scattered_on=self.scattered_on,
            place=(self.place.strip() or str(self.garden))[:300],
            in_nature=self.in_nature,
            operation=operation,
        )
        return operation


@dataclass
class OssuaryMoveAction(FuneralAction):
    """Move what remains of a burial to the ossuary, by the commune after a repossession
    (L2223-4, R2223-20), on the mayor's order. The name goes into the ossuary register even when
    no remains were found; a deceased who objected to cremation is kept apart."""

    burial: Burial | None = None
    moved_on: datetime.date | None = None
    remains_found: bool = True
    ossuary: Plot | None = None
    authorised_by: Any = None

    def __post_init__(self) -> None:
        self.kind = OperationKind.EXHUMATION

    def check(self) -> None:
        self.warnings = []
        if self.burial is None:
            raise OperationRefusal(_("Choisissez le défunt concerné."), field="burial")
        self._check_same_commune(self.burial, self.ossuary)
        if not self.burial.is_present:
            raise OperationRefusal(
                _("%(name)s ne repose plus dans cet emplacement.") % {"name": self.burial.deceased},
                field="burial",
            )
        if self.moved_on is None:
            raise OperationRefusal(_("Indiquez la date."), field="moved_on")
        self._check_not_future(self.moved_on, "moved_on", _("du transfert"))
        if self.ossuary is not None and self.ossuary.kind != PlotKind.OSSUARY:
            raise OperationRefusal(_("Cet emplacement n'est pas un ossuaire."), field="ossuary")
        if not may_authorise(self.authorised_by, self.commune):
            raise OperationRefusal(
                _("Le transfert à l'ossuaire se fait sur arrêté du maire (L2223-4)."),
                article="L2223-4",
                field="authorised_by",
            )

    @transaction.atomic
    def execute(self) -> Operation:
        self.check()
        assert self.burial is not None and self.moved_on is not None
        burial = self.burial
        burial.is_present = False
        burial.left_on = self.moved_on
        burial.save(update_fields=["is_present", "left_on"])
        kept_apart = burial.deceased.objected_to_cremation
        destination = _("Ossuaire") + (f" ({self.ossuary})" if self.ossuary else "")
        if kept_apart:
            destination += " — " + _("déposé à part (opposition à la crémation)")
        operation = self._record(
            plot=burial.plot,
            attendance=Attendance(authorised_by=self.authorised_by, authorised_on=self.moved_on),
            burial=burial,
            deceased=burial.deceased,
            performed_on=self.moved_on,
            destination=destination[:200],
        )
        OssuaryEntry.objects.create(
            commune=self.commune,
            deceased=burial.deceased,
            full_name=str(burial.deceased)[:300],
            moved_on=self.moved_on,
            from_plot=burial.plot,
            remains_found=self.remains_found,
            kept_apart=kept_apart,
            operation=operation,
        )
        return operation
