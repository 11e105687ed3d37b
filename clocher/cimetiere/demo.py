"""Demo content of the cemetery module: one communal cemetery per demo commune.

Vaux-la-Cloche gets the full set: sections A, B, C, a columbarium and a garden of remembrance,
plots of every kind drawn on the grid, about sixty concessions in every legal state relative to
today (active, expiring, in the two-year renewal window, repossessable, perpetual, ended with its
history kept, eligible for the abandonment procedure, temporary, dated 29 February), holders and
beneficiaries, about a hundred deceased, operations (burials, an exhumation to the ossuary, ash
scatterings), the council's tariffs and public grave search. The other communes get a smaller
cemetery. Every name is fictional.

Idempotent: a commune that already has its "Cimetière communal" is left as it is, so running
``clocher demo`` twice creates nothing new.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from clocher.cimetiere.legal_clock import add_months, add_years
from clocher.cimetiere.models import (
    AshScatteringEntry,
    Beneficiary,
    Burial,
    Cemetery,
    CemeterySettings,
    Concession,
    ConcessionEndReason,
    ConcessionKind,
    ConcessionRenewal,
    ConcessionScope,
    Container,
    Deceased,
    Holder,
    Operation,
    OperationKind,
    OssuaryEntry,
    Plot,
    PlotKind,
    Row,
    Section,
    Tariff,
)

CEMETERY_NAME = "Cimetière communal"
FULL_DEMO_COMMUNE = "vaux-la-cloche"

LAST_NAMES = (
    "Aubertin", "Bazin", "Bellot", "Berthier", "Blondeau", "Bouchard", "Brochet", "Chauvet",
    "Colas", "Courtois", "Delorme", "Demange", "Desbois", "Drouet", "Duchêne", "Ferrand",
    "Fleurot", "Gallois", "Germain", "Goujon", "Grosjean", "Guillemin", "Hérault", "Jacquot",
    "Lacombe", "Landry", "Lavigne", "Lebœuf", "Léger", "Loiseau", "Maillot", "Marchal",
    "Ménétrier", "Millot", "Mouchot", "Naudin", "Paquet", "Pelletier", "Perrot", "Pichon",
    "Poinsot", "Prévost", "Quenot", "Raclot", "Renaudin", "Rigolot", "Sauvageot", "Thénard",
    "Tissot", "Vadot", "Varnier", "Vernier", "Villard", "Voisin",
)  # fmt: skip
MEN = (
    "André", "Émile", "Fernand", "Georges", "Gérard", "Henri", "Jacques", "Jean", "Joseph",
    "Lucien", "Louis", "Marcel", "Maurice", "Paul", "Pierre", "Raymond", "René", "Roger",
)  # fmt: skip
WOMEN = (
    "Andrée", "Colette", "Denise", "Germaine", "Geneviève", "Hélène", "Jeanne", "Louise",
    "Lucienne", "Madeleine", "Marguerite", "Marie", "Odette", "Paulette", "Renée", "Simone",
    "Suzanne", "Thérèse", "Yvonne",
)  # fmt: skip
LIVING_WOMEN = (
    "Agnès", "Béatrice", "Catherine", "Céline", "Isabelle", "Nathalie", "Sandrine", "Valérie",
    "Véronique", "Sophie",
)  # fmt: skip
LIVING_MEN = (
    "Christophe", "Éric", "Frédéric", "Laurent", "Loïc", "Olivier", "Pascal", "Philippe",
    "Stéphane", "Thierry", "Yannick",
)  # fmt: skip
LIVING = LIVING_WOMEN + LIVING_MEN
STREETS = (
    "rue de l'Église", "Grande Rue", "rue des Tilleuls", "chemin du Lavoir", "rue du Moulin",
    "impasse des Vignes", "route de Dijon", "place de la Fontaine", "rue des Écoles",
)  # fmt: skip
# (relationship, is a woman)
RELATIONSHIPS = (
    ("fils", False),
    ("fille", True),
    ("épouse", True),
    ("époux", False),
    ("frère", False),
    ("sœur", True),
    ("petit-fils", False),
    ("nièce", True),
)
BIRTH_PLACES = ("Dijon", "Beaune", "Semur-en-Auxois", "Montbard", "Chalon-sur-Saône", "Auxerre")


@dataclass
class _Builder:
    """Creates the cemetery of one commune, deterministically (a seeded random generator)."""

    commune: Any
    today: datetime.date
    rng: random.Random
    recorder: Any = None
    mayor: Any = None
    sequence: int = 0
    cemetery: Cemetery | None = None
    plots: dict[str, list[Plot]] = field(default_factory=dict)

    # --- layout ---------------------------------------------------------------------------

    def section(self, name: str, position: int) -> Section:
        assert self.cemetery is not None
        return Section.objects.create(
            commune=self.commune, cemetery=self.cemetery, name=name, position=position
        )

    def plot(
        self,
        section: Section,
        number: str,
        kind: str,
        *,
        x: int,
        y: int,
        width: int = 1,
        height: int = 2,
        capacity: int = 2,
        surface: str | None = "2.00",
        row: Row | None = None,
    ) -> Plot:
        assert self.cemetery is not None
        plot = Plot.objects.create(
            commune=self.commune,
            cemetery=self.cemetery,
            section=section,
            row=row,
            number=number,
            kind=kind,
            capacity=capacity,
            surface_m2=Decimal(surface) if surface else None,
            grid_x=x,
            grid_y=y,
            grid_width=width,
            grid_height=height,
        )
        self.plots.setdefault(kind, []).append(plot)
        return plot

    # --- people ---------------------------------------------------------------------------

    def relative(self, family: str | None = None) -> tuple[str, str]:
        """A living relative: (full name, relationship), the first name matching it."""
        relationship, is_woman = self.rng.choice(RELATIONSHIPS)
        first = self.rng.choice(LIVING_WOMEN if is_woman else LIVING_MEN)
        return f"{first} {family or self.rng.choice(LAST_NAMES)}", relationship

    def address(self) -> str:
        return f"{self.rng.randint(1, 40)} {self.rng.choice(STREETS)}, 21900 {self.commune.name}"

    def deceased(
        self, *, death: datetime.date, family_name: str | None = None, ashes: bool = False
    ) -> Deceased:
        is_woman = self.rng.random() < 0.5
        first = self.rng.choice(WOMEN if is_woman else MEN)
        last = family_name or self.rng.choice(LAST_NAMES)
        birth_name = ""
        if is_woman and self.rng.random() < 0.6:
            birth_name = self.rng.choice(LAST_NAMES)
        age_days = self.rng.randint(58 * 365, 96 * 365)
        return Deceased.objects.create(
            commune=self.commune,
            last_name=last,
            first_names=first,
            birth_name=birth_name if birth_name != last else "",
            birth_date=death - datetime.timedelta(days=age_days),
            death_date=death,
            notes="Cendres dispersées." if ashes else "",
        )

    # --- concessions ----------------------------------------------------------------------

    def concession(
        self,
        plot: Plot,
        *,
        kind: str,
        act_date: datetime.date,
        duration_years: int | None = None,
        price: str | None = None,
        ended_on: datetime.date | None = None,
        end_reason: str = "",
        notes: str = "",
    ) -> Concession:
        self.sequence += 1
        concession = Concession.objects.create(
            commune=self.commune,
            plot=plot,
            number=f"{act_date.year}-{self.sequence:03d}",
            act_date=act_date,
            kind=kind,
            duration_years=duration_years,
            scope=self.rng.choice(
                [ConcessionScope.FAMILY, ConcessionScope.FAMILY, ConcessionScope.INDIVIDUAL]
            ),
            surface_m2=plot.surface_m2,
            price_paid=Decimal(price) if price else None,
            ended_on=ended_on,
            end_reason=end_reason,
            notes=notes,
        )
        family = self.rng.choice(LAST_NAMES)
        for position in range(self.rng.choice([1, 1, 2])):
            Holder.objects.create(
                commune=self.commune,
                concession=concession,
                full_name=f"{self.rng.choice(LIVING)} {family}",
                address=self.address(),
                phone=f"06 {self.rng.randint(10, 99)} {self.rng.randint(10, 99)} "
                f"{self.rng.randint(10, 99)} {self.rng.randint(10, 99)}",
                is_deceased=ended_on is not None,
                position=position,
            )
        for _index in range(self.rng.choice([0, 1, 2])):
            name, relationship = self.relative(family)
            Beneficiary.objects.create(
                commune=self.commune,
                concession=concession,
                full_name=name,
                relationship=relationship,
                address=self.address(),
            )
        concession.family_name = family  # type: ignore[attr-defined]
        return concession

    def burials(
        self,
        concession: Concession,
        *,
        start: datetime.date,
        end: datetime.date,
        count: int,
        container: str = Container.COFFIN,
    ) -> list[Burial]:
        """``count`` burials between ``start`` and ``end`` (never after yesterday)."""
        end = min(end, self.today - datetime.timedelta(days=1))
        if end <= start:
            return []
        count = min(count, concession.plot.capacity)
        span = (end - start).days
        days = sorted(self.rng.randint(0, span) for _ in range(count))
        made = []
        for place, offset in enumerate(days, start=1):
            buried_on = start + datetime.timedelta(days=offset)
            deceased = self.deceased(
                death=buried_on - datetime.timedelta(days=self.rng.randint(3, 6)),
                family_name=getattr(concession, "family_name", None),
            )
            burial = Burial.objects.create(
                commune=self.commune,
                deceased=deceased,
                plot=concession.plot,
                concession=concession,
                buried_on=buried_on,
                container=container,
                place_in_plot=f"place {place}",
            )
            if (self.today - buried_on).days < 2 * 365:
                self.burial_operation(burial)
            made.append(burial)
        return made

    def burial_operation(self, burial: Burial) -> Operation:
        assert burial.buried_on is not None
        requester, relationship = self.relative(burial.deceased.last_name)
        return Operation.objects.create(
            commune=self.commune,
            kind=OperationKind.BURIAL,
            plot=burial.plot,
            burial=burial,
            deceased=burial.deceased,
            requested_by=requester,
            requester_relationship=relationship,
            authorised_by=self.mayor,
            authorised_on=burial.buried_on - datetime.timedelta(days=2),
            performed_on=burial.buried_on,
            attended_by="Pompes funèbres du Val, famille présente",
            recorded_by=self.recorder,
        )


def _years_ago(today: datetime.date, years: int, months: int = 0) -> datetime.date:
    return add_months(add_years(today, -years), months)


def _ground_scenarios(count: int, rng: random.Random) -> list[str]:
    special = [
        "history",
        "abandonment",
        "abandonment",
        "leap_day",
        "renewed",
        "renewed",
        *["expiring"] * 5,
        *["renewal_window"] * 5,
        *["repossessable"] * 5,
        *["perpetual"] * 7,
        *["fifty_years"] * 4,
        *["temporary"] * 2,
    ]
    special = special[:count]
    scenarios = special + ["active"] * (count - len(special))
    rng.shuffle(scenarios)
    return scenarios


def _grant(builder: _Builder, plot: Plot, scenario: str) -> None:
    """One concession on ``plot`` in the legal state named by ``scenario``."""
    today, rng = builder.today, builder.rng
    thirty = ConcessionKind.THIRTY_YEARS
    if scenario == "expiring":  # expires within the next 12 months
        act = _years_ago(today, 30, rng.randint(1, 10))
        concession = builder.concession(plot, kind=thirty, act_date=act, price="120")
        builder.burials(concession, start=act, end=add_years(act, 25), count=rng.randint(1, 2))
    elif scenario == "renewal_window":  # expired less than two years ago
        act = _years_ago(today, 30, -rng.randint(2, 20))
        concession = builder.concession(plot, kind=thirty, act_date=act, price="110")
        builder.burials(concession, start=act, end=add_years(act, 15), count=1)
    elif scenario == "repossessable":  # expired more than two years ago
        act = _years_ago(today, 30 + rng.randint(3, 9))
        concession = builder.concession(plot, kind=thirty, act_date=act, price="80")
        builder.burials(concession, start=act, end=add_years(act, 10), count=1)
    elif scenario == "perpetual":
        act = datetime.date(rng.randint(1935, 1985), rng.randint(1, 12), rng.randint(1, 28))
        concession = builder.concession(plot, kind=ConcessionKind.PERPETUAL, act_date=act)
        builder.burials(concession, start=act, end=today, count=rng.randint(1, plot.capacity))
    elif scenario == "abandonment":  # act ≥ 30 years, last burial ≥ 10 years (R2223-12)
        act = datetime.date(rng.randint(1948, 1965), rng.randint(1, 12), rng.randint(1, 28))
        concession = builder.concession(
            plot,
            kind=ConcessionKind.PERPETUAL,
            act_date=act,
            notes="Sépulture très dégradée, famille sans nouvelles.",
        )
        builder.burials(concession, start=act, end=add_years(act, 15), count=2)
    elif scenario == "fifty_years":
        act = _years_ago(today, rng.randint(5, 40))
        concession = builder.concession(
            plot, kind=ConcessionKind.FIFTY_YEARS, act_date=act, price="450"
        )
        builder.burials(concession, start=act, end=today, count=rng.randint(0, 2))
    elif scenario == "temporary":
        act = _years_ago(today, rng.randint(1, 10))
        concession = builder.concession(
            plot, kind=ConcessionKind.TEMPORARY, act_date=act, duration_years=15, price="120"
        )
        builder.burials(concession, start=act, end=add_years(act, 1), count=1)
    elif scenario == "leap_day":  # an act of 29 February
        act = datetime.date(2000, 2, 29)
        concession = builder.concession(
            plot, kind=thirty, act_date=act, price="200", notes="Acte du 29 février."
        )
        builder.burials(concession, start=act, end=add_years(act, 3), count=1)
    elif scenario == "renewed":  # renewed once, from its expiry (L2223-15)
        act = _years_ago(today, 30 + rng.randint(1, 12))
        concession = builder.concession(plot, kind=thirty, act_date=act, price="90")
        expiry = add_years(act, 30)
        requester, relationship = builder.relative(getattr(concession, "family_name", None))
        ConcessionRenewal.objects.create(
            commune=builder.commune,
            concession=concession,
            decided_on=expiry - datetime.timedelta(days=rng.randint(10, 200)),
            period_start=expiry,
            kind=thirty,
            price_paid=Decimal("250"),
            requested_by=requester,
            requester_relationship=relationship,
            recorded_by=builder.recorder,
        )
        builder.burials(concession, start=act, end=today, count=2)
    elif scenario == "history":
        _history(builder, plot)
    else:  # active
        act = _years_ago(today, rng.randint(1, 25), rng.randint(0, 11))
        concession = builder.concession(plot, kind=thirty, act_date=act, price="250")
        builder.burials(concession, start=act, end=today, count=rng.randint(0, 2))


def _history(builder: _Builder, plot: Plot) -> None:
    """An old concession repossessed after expiry, its remains moved to the ossuary, and the new
    concession on the same plot: the plot's history stays readable."""
    old_act = datetime.date(1952, 4, 17)
    old = builder.concession(
        plot,
        kind=ConcessionKind.THIRTY_YEARS,
        act_date=old_act,
        ended_on=datetime.date(1989, 6, 1),
        end_reason=ConcessionEndReason.REPOSSESSED_AFTER_EXPIRY,
        notes="Non renouvelée ; reprise par arrêté du maire.",
    )
    for burial in builder.burials(old, start=old_act, end=datetime.date(1960, 1, 1), count=1):
        moved_on = datetime.date(1989, 5, 10)
        operation = Operation.objects.create(
            commune=builder.commune,
            kind=OperationKind.EXHUMATION,
            plot=plot,
            burial=burial,
            deceased=burial.deceased,
            requested_by="Reprise par la commune",
            authorised_on=datetime.date(1989, 4, 20),
            performed_on=moved_on,
            attended_by="Garde champêtre",
            destination="Ossuaire communal",
            notes="Reprise après expiration (L2223-15).",
            recorded_by=builder.recorder,
        )
        Burial.objects.filter(pk=burial.pk).update(is_present=False, left_on=moved_on)
        OssuaryEntry.objects.create(
            commune=builder.commune,
            deceased=burial.deceased,
            full_name=str(burial.deceased),
            moved_on=moved_on,
            from_plot=plot,
            remains_found=True,
            operation=operation,
        )
    OssuaryEntry.objects.create(
        commune=builder.commune,
        full_name="Inconnu (inscription effacée)",
        moved_on=datetime.date(1989, 5, 10),
        from_plot=plot,
        remains_found=False,
    )
    new_act = datetime.date(1991, 9, 3)
    new = builder.concession(plot, kind=ConcessionKind.FIFTY_YEARS, act_date=new_act, price="300")
    builder.burials(new, start=new_act, end=builder.today, count=2)


def _family_exhumation(builder: _Builder) -> None:
    """A recent exhumation asked by the nearest relative (R2213-40), remains to the ossuary."""
    burial = (
        Burial.objects.for_commune(builder.commune)
        .filter(is_present=True, concession__ended_on__isnull=True, buried_on__isnull=False)
        .exclude(concession__kind=ConcessionKind.PERPETUAL)
        .select_related("deceased", "plot")
        .order_by("buried_on")
        .first()
    )
    if burial is None:
        return
    performed_on = builder.today - datetime.timedelta(days=40)
    operation = Operation.objects.create(
        commune=builder.commune,
        kind=OperationKind.EXHUMATION,
        plot=burial.plot,
        burial=burial,
        deceased=burial.deceased,
        requested_by=f"{builder.rng.choice(LIVING_WOMEN)} {burial.deceased.last_name}",
        requester_relationship="fille",
        sworn_statement_received=True,
        authorised_by=builder.mayor,
        authorised_on=performed_on - datetime.timedelta(days=12),
        performed_on=performed_on,
        attended_by="La fille du défunt ; Pompes funèbres du Val",
        destination="Ossuaire communal",
        recorded_by=builder.recorder,
    )
    Burial.objects.filter(pk=burial.pk).update(is_present=False, left_on=performed_on)
    OssuaryEntry.objects.create(
        commune=builder.commune,
        deceased=burial.deceased,
        full_name=str(burial.deceased),
        moved_on=performed_on,
        from_plot=burial.plot,
        remains_found=True,
        kept_apart=burial.deceased.objected_to_cremation,
        operation=operation,
    )


def _ash_scatterings(builder: _Builder, garden: Plot | None, count: int) -> None:
    """Ashes scattered in the garden of remembrance, and one in nature (L2223-18-3)."""
    for index in range(count):
        scattered_on = builder.today - datetime.timedelta(days=90 + 400 * index)
        deceased = builder.deceased(death=scattered_on - datetime.timedelta(days=20), ashes=True)
        operation = None
        if garden is not None:
            requester, relationship = builder.relative(deceased.last_name)
            operation = Operation.objects.create(
                commune=builder.commune,
                kind=OperationKind.ASH_SCATTERING,
                plot=garden,
                deceased=deceased,
                requested_by=requester,
                requester_relationship=relationship,
                authorised_by=builder.mayor,
                authorised_on=scattered_on - datetime.timedelta(days=3),
                performed_on=scattered_on,
                attended_by="Famille",
                destination="Jardin du souvenir",
                recorded_by=builder.recorder,
            )
        AshScatteringEntry.objects.create(
            commune=builder.commune,
            deceased=deceased,
            full_name=str(deceased),
            birth_date=deceased.birth_date,
            birth_place=builder.rng.choice(BIRTH_PLACES),
            scattered_on=scattered_on,
            place=f"Jardin du souvenir, {CEMETERY_NAME} de {builder.commune.name}",
            in_nature=False,
            operation=operation,
        )
    native = builder.deceased(death=builder.today - datetime.timedelta(days=200), ashes=True)
    AshScatteringEntry.objects.create(
        commune=builder.commune,
        deceased=native,
        full_name=str(native),
        birth_date=native.birth_date,
        birth_place=builder.commune.name,
        scattered_on=builder.today - datetime.timedelta(days=180),
        place="Bois de la Combe, en pleine nature (déclaration de la famille)",
        in_nature=True,
    )


def _tariffs(commune: Any, today: datetime.date) -> None:
    """The council's tariffs (L2223-15): per plot kind, duration and surface."""
    valid_from = datetime.date(today.year - 3, 1, 1)
    rows = [
        (PlotKind.CONCESSION_GROUND, ConcessionKind.TEMPORARY, 15, "2.00", "120"),
        (PlotKind.CONCESSION_GROUND, ConcessionKind.THIRTY_YEARS, None, "2.00", "250"),
        (PlotKind.CONCESSION_GROUND, ConcessionKind.THIRTY_YEARS, None, "4.00", "400"),
        (PlotKind.CONCESSION_GROUND, ConcessionKind.FIFTY_YEARS, None, "2.00", "450"),
        (PlotKind.CONCESSION_GROUND, ConcessionKind.FIFTY_YEARS, None, "4.00", "720"),
        (PlotKind.CONCESSION_GROUND, ConcessionKind.PERPETUAL, None, "2.00", "1200"),
        (PlotKind.VAULT, ConcessionKind.THIRTY_YEARS, None, None, "500"),
        (PlotKind.VAULT, ConcessionKind.FIFTY_YEARS, None, None, "900"),
        (PlotKind.VAULT, ConcessionKind.PERPETUAL, None, None, "2000"),
        (PlotKind.COLUMBARIUM_NICHE, ConcessionKind.TEMPORARY, 15, None, "400"),
        (PlotKind.COLUMBARIUM_NICHE, ConcessionKind.THIRTY_YEARS, None, None, "700"),
        (PlotKind.URN_PLOT, ConcessionKind.TEMPORARY, 15, None, "200"),
        (PlotKind.URN_PLOT, ConcessionKind.THIRTY_YEARS, None, None, "350"),
    ]
    for plot_kind, kind, years, surface, price in rows:
        Tariff.objects.get_or_create(
            commune=commune,
            plot_kind=plot_kind,
            kind=kind,
            duration_years=years,
            max_surface_m2=Decimal(surface) if surface else None,
            valid_from=valid_from,
            defaults={
                "price": Decimal(price),
                "deliberation_reference": f"Délibération n° {valid_from.year}-14",
            },
        )


def _full_cemetery(builder: _Builder) -> None:
    """Vaux-la-Cloche: every plot kind and every legal state."""
    rng = builder.rng
    section_a = builder.section("A", 1)
    section_b = builder.section("B", 2)
    section_c = builder.section("C", 3)
    columbarium = builder.section("Columbarium", 4)
    garden_section = builder.section("Jardin du souvenir", 5)
    rows_a = [
        Row.objects.create(commune=builder.commune, section=section_a, name=f"Allée {n}")
        for n in (1, 2, 3)
    ]

    ground: list[Plot] = []
    for line, row in enumerate(rows_a):
        for column in range(12):
            number = str(line * 12 + column + 1)
            is_vault = column % 4 == 3
            ground.append(
                builder.plot(
                    section_a,
                    number,
                    PlotKind.VAULT if is_vault else PlotKind.CONCESSION_GROUND,
                    x=1 + column,
                    y=1 + line * 3,
                    capacity=4 if is_vault else 2,
                    surface="2.50" if is_vault else "2.00",
                    row=row,
                )
            )
    common: list[Plot] = []
    for line in range(3):
        for column in range(10):
            index = line * 10 + column + 1
            if line < 2:
                ground.append(
                    builder.plot(
                        section_b,
                        str(index),
                        PlotKind.CONCESSION_GROUND,
                        x=1 + column,
                        y=11 + line * 3,
                        surface="4.00" if column == 0 else "2.00",
                    )
                )
            else:
                common.append(
                    builder.plot(
                        section_b,
                        str(index),
                        PlotKind.COMMON_GROUND,
                        x=1 + column,
                        y=11 + line * 3,
                        capacity=1,
                        surface="1.60",
                    )
                )
    urn_plots = [
        builder.plot(
            section_c,
            f"U{n}",
            PlotKind.URN_PLOT,
            x=n,
            y=21,
            height=1,
            capacity=4,
            surface="0.64",
        )
        for n in range(1, 7)
    ]
    for n in range(1, 5):
        common.append(
            builder.plot(
                section_c,
                f"T{n}",
                PlotKind.COMMON_GROUND,
                x=n,
                y=23,
                capacity=1,
                surface="1.60",
            )
        )
    builder.plot(
        section_c, "Ossuaire", PlotKind.OSSUARY, x=8, y=21, width=2, capacity=500, surface=None
    )
    builder.plot(
        section_c,
        "Caveau provisoire",
        PlotKind.TEMPORARY_DEPOSITORY,
        x=8,
        y=24,
        width=2,
        capacity=2,
        surface=None,
    )
    niches = [
        builder.plot(
            columbarium,
            f"C{n}",
            PlotKind.COLUMBARIUM_NICHE,
            x=15 + (n - 1) % 4,
            y=1 + (n - 1) // 4,
            height=1,
            capacity=2,
            surface=None,
        )
        for n in range(1, 13)
    ]
    garden = builder.plot(
        garden_section,
        "Jardin",
        PlotKind.SCATTERING_GARDEN,
        x=15,
        y=6,
        width=4,
        height=3,
        capacity=0,
        surface=None,
    )

    conceded = [plot for plot in ground if rng.random() < 0.85]
    for plot, scenario in zip(conceded, _ground_scenarios(len(conceded), rng), strict=True):
        _grant(builder, plot, scenario)
    for index, niche in enumerate(niches[:8]):
        act = _years_ago(builder.today, [1, 4, 8, 13, 14, 15, 16, 6][index], rng.randint(0, 5))
        concession = builder.concession(
            niche,
            kind=ConcessionKind.TEMPORARY,
            act_date=act,
            duration_years=15,
            price="400",
        )
        builder.burials(
            concession, start=act, end=add_years(act, 2), count=1, container=Container.URN
        )
    for index, urn_plot in enumerate(urn_plots[:4]):
        act = _years_ago(builder.today, 3 + 6 * index)
        concession = builder.concession(
            urn_plot,
            kind=ConcessionKind.PERPETUAL if index == 3 else ConcessionKind.THIRTY_YEARS,
            act_date=act,
            price="350" if index < 3 else None,
        )
        builder.burials(concession, start=act, end=builder.today, count=2, container=Container.URN)
    for index, plot in enumerate(common):  # some reusable (≥ 5 years), some not (R2223-5)
        if index % 5 == 4:
            continue
        buried_on = builder.today - datetime.timedelta(days=200 + 500 * index)
        deceased = builder.deceased(death=buried_on - datetime.timedelta(days=4))
        burial = Burial.objects.create(
            commune=builder.commune,
            deceased=deceased,
            plot=plot,
            buried_on=buried_on,
            place_in_plot="place 1",
        )
        if (builder.today - buried_on).days < 2 * 365:
            builder.burial_operation(burial)
    _family_exhumation(builder)
    _ash_scatterings(builder, garden, count=3)


def _small_cemetery(builder: _Builder) -> None:
    """The other demo communes: a small cemetery with a few concessions."""
    section_a = builder.section("A", 1)
    section_b = builder.section("Columbarium", 2)
    ground = [
        builder.plot(section_a, str(n), PlotKind.CONCESSION_GROUND, x=n, y=1) for n in range(1, 11)
    ]
    common = [
        builder.plot(
            section_a, f"T{n}", PlotKind.COMMON_GROUND, x=n, y=4, capacity=1, surface="1.60"
        )
        for n in range(1, 4)
    ]
    builder.plot(section_a, "Ossuaire", PlotKind.OSSUARY, x=5, y=4, width=2, surface=None)
    niches = [
        builder.plot(
            section_b,
            f"C{n}",
            PlotKind.COLUMBARIUM_NICHE,
            x=12 + n,
            y=1,
            height=1,
            surface=None,
        )
        for n in range(1, 5)
    ]
    scenarios = [
        "active",
        "expiring",
        "renewal_window",
        "repossessable",
        "perpetual",
        "abandonment",
        "fifty_years",
        "active",
    ]
    for plot, scenario in zip(ground, scenarios, strict=False):
        _grant(builder, plot, scenario)
    act = _years_ago(builder.today, 4)
    concession = builder.concession(
        niches[0], kind=ConcessionKind.TEMPORARY, act_date=act, duration_years=15, price="380"
    )
    builder.burials(concession, start=act, end=add_years(act, 1), count=1, container=Container.URN)
    buried_on = builder.today - datetime.timedelta(days=700)
    burial = Burial.objects.create(
        commune=builder.commune,
        deceased=builder.deceased(death=buried_on - datetime.timedelta(days=5)),
        plot=common[0],
        buried_on=buried_on,
        place_in_plot="place 1",
    )
    builder.burial_operation(burial)


def _demo_staff(commune: Any, staff: dict[str, Any]) -> tuple[Any, Any]:
    from clocher.demo import data

    recorder = mayor = None
    for account in data.ACCOUNTS:
        if account.commune_slug != commune.slug:
            continue
        if "agent" in account.roles and recorder is None:
            recorder = staff.get(account.email)
        if "elected" in account.roles and mayor is None:
            mayor = staff.get(account.email)
    return recorder, mayor


@transaction.atomic
def load(*, commune: Any, staff: dict[str, Any]) -> None:
    """Create the commune's demo cemetery unless it already exists (idempotent)."""
    if Cemetery.objects.for_commune(commune).filter(name=CEMETERY_NAME).exists():
        return
    today = timezone.localdate()
    recorder, mayor = _demo_staff(commune, staff)
    builder = _Builder(
        commune=commune,
        today=today,
        rng=random.Random(f"clocher-demo-cimetiere:{commune.slug}"),
        recorder=recorder,
        mayor=mayor,
    )
    builder.cemetery = Cemetery.objects.create(
        commune=commune,
        name=CEMETERY_NAME,
        address=f"Chemin du Cimetière, 21900 {commune.name}",
        notes="Données de démonstration (noms fictifs).",
    )
    full = commune.slug == FULL_DEMO_COMMUNE
    if full:
        _full_cemetery(builder)
    else:
        _small_cemetery(builder)
    _tariffs(commune, today)
    CemeterySettings.objects.get_or_create(
        commune=commune, defaults={"public_search_enabled": full}
    )
    if full:
        _abandonment_procedure(commune, today, recorder)


def _abandonment_procedure(commune: Any, today: datetime.date, recorder: Any) -> None:
    """One procedure under way on an eligible concession: notices sent, first report written and
    notified about eleven months ago, the second report due next month."""
    from clocher.cimetiere.legal_clock import add_months, clocks_for_commune
    from clocher.cimetiere.models import AbandonmentStep
    from clocher.cimetiere.services.abandonment import OpenProcedure, RecordStep

    notice_on = add_months(today, -13)
    clocks = clocks_for_commune(commune, today=notice_on, include_ended=False)
    eligible = sorted(pk for pk, clock in clocks.items() if clock.abandonment_eligible)
    if not eligible:
        return
    concession = Concession.objects.for_commune(commune).get(pk=eligible[0])
    procedure = OpenProcedure(
        commune=commune,
        actor=recorder,
        concession=concession,
        today=notice_on,
        visit_planned_on=add_months(notice_on, 1),
    ).execute()
    visit_on = add_months(notice_on, 1)
    steps: list[tuple[AbandonmentStep, datetime.date, dict[str, Any]]] = [
        (AbandonmentStep.NOTICE, notice_on, {"was_posted": True, "recipients": "Famille Marchand"}),
        (
            AbandonmentStep.FIRST_REPORT,
            visit_on,
            {
                "condition": "Stèle fendue et penchée, entourage descellé, tombe envahie de lierre "
                "et de ronces ; inscription illisible.",
                "officials_present": "Le maire ; M. Roux, garde champêtre",
            },
        ),
        (
            AbandonmentStep.FIRST_NOTIFICATION,
            visit_on + datetime.timedelta(days=5),
            {"was_posted": True, "recipients": "Famille Marchand"},
        ),
    ]
    for step, day, fields in steps:
        RecordStep(
            commune=commune,
            actor=recorder,
            procedure=procedure,
            step=step,
            done_on=day,
            today=day,
            fields=fields,
        ).execute()
