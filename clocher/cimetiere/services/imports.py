"""Importing a cemetery spreadsheet (CSV): parsing, validation, then an all-or-nothing write.

The file is what a town-hall secretary keeps: one line per burial, the plot and concession
columns repeated on each line of the same grave; a line may have no deceased (a sold, empty
concession) or no concession (common ground, CGCT L2223-3). The parser is forgiving about the
form (encoding, separator, header spelling, date formats, French words) and strict about the
facts (impossible dates, contradictory lines): every problem is reported with its line and its
column, and nothing is written while one error remains.

Accepted columns (header names are compared without case, accents, spaces or punctuation):

============================  ==============================================================
column                        also recognised as
============================  ==============================================================
``cemetery``                  cimetière, nom du cimetière
``section``                   carré, carre, division, quartier
``plot``                      emplacement, n° emplacement, numéro d'emplacement, tombe,
                              sépulture, numéro de tombe
``plot_kind``                 type, type d'emplacement, type de sépulture, nature
``capacity`` (optional)       capacité, places, nombre de places
``concession_number``         numéro de concession, n° concession, numéro d'acte, n° acte, acte
``concession_kind``           type de concession, catégorie, nature de la concession
``act_date``                  date de l'acte, date acte, date de concession, date d'achat
``duration_years``            durée, durée en années, durée (ans), nombre d'années
``holder_name``               concessionnaire, titulaire, nom du concessionnaire, acquéreur
``holder_address``            adresse, adresse du concessionnaire
``concession_scope`` (opt.)   bénéficiaires, type de bénéficiaires (individuelle, collective,
                              familiale)
``deceased_name``             défunt, nom du défunt, inhumé, nom et prénom
``deceased_birth_date``       né le, née le, né(e) le, date de naissance
``deceased_death_date``       décédé le, décédée le, décédé(e) le, date de décès
``burial_date``               inhumé le, inhumée le, inhumé(e) le, date d'inhumation
============================  ==============================================================

Values: concession kinds (L2223-14) temporaire / 15 ans / 10 ans … (temporary, with that
duration), trentenaire / 30 ans, cinquantenaire / 50 ans, perpétuelle / perpétuité,
centenaire / 100 ans, and the English temporary, thirty, 30 years, fifty, 50 years, perpetual,
centenary. Plot kinds: terrain, concession, pleine terre → concession ground; caveau → vault;
columbarium, case → columbarium niche; cavurne → urn plot; terrain commun, fosse commune →
common ground; ossuaire; jardin du souvenir; caveau provisoire, dépositoire. An empty plot kind
means concession ground when a concession is given on a line of that plot, common ground
otherwise. Dates: 2021-03-04, 04/03/2021, 4/3/2021, 04-03-2021, 04.03.2021 (a two-digit year is
refused: 1921 or 2021?). An empty value means "unknown", never "erase": a re-import never
clears what is already known.

Capacity: the number of places of a plot is ``max(capacity given or already known, burials
present)``; when the burials exceed a capacity that was given or known, the import raises it and
says so in a warning (registers often under-count places in old vaults; refusing the file would
only push the secretary to make the capacity up).

Matching (so that importing the same file twice changes nothing): cemetery by name, section by
cemetery + name, plot by section + number, concession by plot + act number (by plot + act
date + kind when it has no number), holder by concession + name, deceased and burial by plot +
name + dates of birth and death.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from clocher.cimetiere.models import (
    KIND_DURATION_YEARS,
    TEMPORARY_MAX_YEARS,
    Burial,
    Cemetery,
    Concession,
    ConcessionKind,
    ConcessionScope,
    Deceased,
    Holder,
    Plot,
    PlotKind,
    Section,
)
from clocher.cimetiere.quality import QualitySummary, concessions_quality, summarise_quality
from clocher.tenancy.models import Commune

MAX_IMPORT_BYTES = 10 * 1024 * 1024


class ImportFileRejected(ValueError):
    """The file as a whole cannot be read (not text, empty, no plot column…)."""


# --- Columns ----------------------------------------------------------------------------------


def normalise_label(text: str) -> str:
    """``"Date de l'acte "`` → ``"date de l acte"``: no case, accents or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", ascii_only.casefold()).split())


COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "cemetery": ("cemetery", "cimetiere", "nom du cimetiere"),
    "section": ("section", "carre", "division", "quartier", "carre section"),
    "plot": (
        "plot",
        "emplacement",
        "n emplacement",
        "no emplacement",
        "numero emplacement",
        "numero d emplacement",
        "numero de l emplacement",
        "tombe",
        "numero de tombe",
        "sepulture",
    ),
    "plot_kind": (
        "plot kind",
        "type",
        "type d emplacement",
        "type emplacement",
        "type de sepulture",
        "nature",
    ),
    "capacity": ("capacity", "capacite", "places", "nombre de places", "nb places"),
    "concession_scope": (
        "concession scope",
        "scope",
        "beneficiaires",
        "type de beneficiaires",
        "individuelle collective familiale",
    ),
    "concession_number": (
        "concession number",
        "numero de concession",
        "numero concession",
        "n concession",
        "no concession",
        "numero d acte",
        "numero de l acte",
        "numero acte",
        "n acte",
        "no acte",
        "acte",
    ),
    "concession_kind": (
        "concession kind",
        "type de concession",
        "type concession",
        "categorie",
        "nature de la concession",
    ),
    "act_date": (
        "act date",
        "date de l acte",
        "date acte",
        "date de concession",
        "date d achat",
    ),
    "duration_years": (
        "duration years",
        "duration",
        "duree",
        "duree en annees",
        "duree ans",
        "nombre d annees",
    ),
    "holder_name": (
        "holder name",
        "holder",
        "concessionnaire",
        "titulaire",
        "nom du concessionnaire",
        "acquereur",
    ),
    "holder_address": (
        "holder address",
        "adresse",
        "adresse du concessionnaire",
        "adresse concessionnaire",
    ),
    "deceased_name": (
        "deceased name",
        "deceased",
        "defunt",
        "nom du defunt",
        "inhume",
        "nom et prenom",
        "nom prenom",
    ),
    "deceased_birth_date": (
        "deceased birth date",
        "birth date",
        "ne le",
        "nee le",
        "ne e le",
        "date de naissance",
    ),
    "deceased_death_date": (
        "deceased death date",
        "death date",
        "decede le",
        "decedee le",
        "decede e le",
        "date de deces",
    ),
    "burial_date": (
        "burial date",
        "inhume le",
        "inhumee le",
        "inhume e le",
        "date d inhumation",
        "date inhumation",
    ),
}
_ALIAS_TO_COLUMN = {
    normalise_label(alias): column
    for column, aliases in COLUMN_ALIASES.items()
    for alias in aliases
}

CONCESSION_COLUMNS = (
    "concession_number",
    "concession_kind",
    "act_date",
    "duration_years",
    "holder_name",
    "holder_address",
    "concession_scope",
)
DECEASED_COLUMNS = (
    "deceased_name",
    "deceased_birth_date",
    "deceased_death_date",
    "burial_date",
)


# --- Words ------------------------------------------------------------------------------------

PLOT_KIND_WORDS: dict[str, PlotKind] = {
    normalise_label(word): kind
    for word, kind in (
        ("terrain", PlotKind.CONCESSION_GROUND),
        ("concession", PlotKind.CONCESSION_GROUND),
        ("pleine terre", PlotKind.CONCESSION_GROUND),
        ("terrain concede", PlotKind.CONCESSION_GROUND),
        ("concession ground", PlotKind.CONCESSION_GROUND),
        ("ground", PlotKind.CONCESSION_GROUND),
        ("caveau", PlotKind.VAULT),
        ("vault", PlotKind.VAULT),
        ("columbarium", PlotKind.COLUMBARIUM_NICHE),
        ("case", PlotKind.COLUMBARIUM_NICHE),
        ("case de columbarium", PlotKind.COLUMBARIUM_NICHE),
        ("columbarium niche", PlotKind.COLUMBARIUM_NICHE),
        ("cavurne", PlotKind.URN_PLOT),
        ("urn plot", PlotKind.URN_PLOT),
        ("terrain commun", PlotKind.COMMON_GROUND),
        ("fosse commune", PlotKind.COMMON_GROUND),
        ("common ground", PlotKind.COMMON_GROUND),
        ("ossuaire", PlotKind.OSSUARY),
        ("ossuary", PlotKind.OSSUARY),
        ("jardin du souvenir", PlotKind.SCATTERING_GARDEN),
        ("scattering garden", PlotKind.SCATTERING_GARDEN),
        ("caveau provisoire", PlotKind.TEMPORARY_DEPOSITORY),
        ("depositoire", PlotKind.TEMPORARY_DEPOSITORY),
        ("temporary depository", PlotKind.TEMPORARY_DEPOSITORY),
    )
}
for _kind in PlotKind:
    PLOT_KIND_WORDS.setdefault(normalise_label(_kind.value), _kind)

SCOPE_WORDS: dict[str, ConcessionScope] = {
    normalise_label(word): scope
    for word, scope in (
        ("individuelle", ConcessionScope.INDIVIDUAL),
        ("individuel", ConcessionScope.INDIVIDUAL),
        ("individual", ConcessionScope.INDIVIDUAL),
        ("collective", ConcessionScope.COLLECTIVE),
        ("collectif", ConcessionScope.COLLECTIVE),
        ("collective", ConcessionScope.COLLECTIVE),
        ("familiale", ConcessionScope.FAMILY),
        ("famille", ConcessionScope.FAMILY),
        ("familial", ConcessionScope.FAMILY),
        ("family", ConcessionScope.FAMILY),
    )
}

CONCESSION_KIND_WORDS: dict[str, ConcessionKind] = {
    normalise_label(word): kind
    for word, kind in (
        ("temporaire", ConcessionKind.TEMPORARY),
        ("temporary", ConcessionKind.TEMPORARY),
        ("trentenaire", ConcessionKind.THIRTY_YEARS),
        ("thirty", ConcessionKind.THIRTY_YEARS),
        ("thirty years", ConcessionKind.THIRTY_YEARS),
        ("cinquantenaire", ConcessionKind.FIFTY_YEARS),
        ("fifty", ConcessionKind.FIFTY_YEARS),
        ("fifty years", ConcessionKind.FIFTY_YEARS),
        ("perpetuelle", ConcessionKind.PERPETUAL),
        ("perpetuel", ConcessionKind.PERPETUAL),
        ("perpetuite", ConcessionKind.PERPETUAL),
        ("a perpetuite", ConcessionKind.PERPETUAL),
        ("perpetual", ConcessionKind.PERPETUAL),
        ("centenaire", ConcessionKind.CENTENARY),
        ("centenary", ConcessionKind.CENTENARY),
    )
}
for _concession_kind in ConcessionKind:
    CONCESSION_KIND_WORDS.setdefault(normalise_label(_concession_kind.value), _concession_kind)
_YEARS_WORD = re.compile(r"^(\d{1,3})\s*(ans?|annees?|years?)?$")
_YEARS_TO_KIND = {
    30: ConcessionKind.THIRTY_YEARS,
    50: ConcessionKind.FIFTY_YEARS,
    100: ConcessionKind.CENTENARY,
}


def parse_concession_kind(text: str) -> tuple[ConcessionKind, int | None] | None:
    """A secretary's word → (kind, duration in years for a temporary one), or None."""
    label = normalise_label(text)
    if label in CONCESSION_KIND_WORDS:
        return CONCESSION_KIND_WORDS[label], None
    match = _YEARS_WORD.match(label)
    if match:
        years = int(match.group(1))
        if years in _YEARS_TO_KIND:
            return _YEARS_TO_KIND[years], None
        if 0 < years <= TEMPORARY_MAX_YEARS:
            return ConcessionKind.TEMPORARY, years
    return None


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d+)(?: 00:00(?::00)?)?$")


class _BadValue(ValueError):
    pass


def parse_date(text: str) -> datetime.date:
    """ISO (2021-03-04) or French (04/03/2021, 4/3/2021, 04-03-2021, 04.03.2021)."""
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _FRENCH_DATE.match(text)
        if not match:
            raise _BadValue(_("« %(value)s » n'est pas une date.") % {"value": text})
        day, month = int(match.group(1)), int(match.group(2))
        if len(match.group(3)) != 4:
            raise _BadValue(
                _(
                    "« %(value)s » : l'année doit être écrite en entier, sur quatre chiffres "
                    "(1921 ou 2021 ?)."
                )
                % {"value": text}
            )
        year = int(match.group(3))
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _BadValue(_("« %(value)s » n'est pas une date.") % {"value": text}) from None


_NAME_PARTICLES = {"de", "du", "des", "le", "la", "d", "van", "von", "di"}


def _is_upper_word(word: str) -> bool:
    letters = [char for char in word if char.isalpha()]
    return bool(letters) and all(char.isupper() for char in letters)


def split_deceased_name(text: str) -> tuple[str, str]:
    """``"DUPONT Jean Marie"`` or ``"Dupont, Jean"`` → (last name, first names). Upper-case
    words are the last name; when the form is not clear, the whole text is kept as last name."""
    text = " ".join(text.split())
    if "," in text:
        last, _comma, first = text.partition(",")
        return last.strip(), first.strip()
    words = text.split(" ")
    upper = [_is_upper_word(word) for word in words]
    if len(words) < 2 or all(upper) or not any(upper):
        return text, ""
    # "DUPONT Jean", "DE LA TOUR Marie": upper-case words first, then the first names.
    leading = 0
    while leading < len(words) and upper[leading]:
        leading += 1
    if leading and not any(upper[leading:]):
        return " ".join(words[:leading]), " ".join(words[leading:])
    # "Jean DUPONT": first names, then upper-case words to the end.
    trailing = len(words)
    while trailing > 0 and upper[trailing - 1]:
        trailing -= 1
    if trailing < len(words) and not any(upper[:trailing]):
        return " ".join(words[trailing:]), " ".join(words[:trailing])
    return text, ""


# --- Messages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportMessage:
    line: int
    column: str
    text: str
    is_error: bool

    def __str__(self) -> str:
        if self.column:
            return _("Ligne %(line)s, colonne %(column)s : %(text)s") % {
                "line": self.line,
                "column": self.column,
                "text": self.text,
            }
        return _("Ligne %(line)s : %(text)s") % {"line": self.line, "text": self.text}


# --- Parsing ----------------------------------------------------------------------------------


@dataclass
class ImportRow:
    """One line of the file, its values checked and typed."""

    line: int
    cemetery: str
    section: str
    plot: str
    plot_kind: PlotKind | None = None
    capacity: int | None = None
    concession_number: str = ""
    concession_kind: ConcessionKind | None = None
    act_date: datetime.date | None = None
    duration_years: int | None = None
    holder_name: str = ""
    holder_address: str = ""
    concession_scope: ConcessionScope | None = None
    has_concession: bool = False
    deceased_last_name: str = ""
    deceased_first_names: str = ""
    birth_date: datetime.date | None = None
    death_date: datetime.date | None = None
    burial_date: datetime.date | None = None
    has_deceased: bool = False
    has_invalid_kind: bool = False

    def plot_key(self) -> tuple[str, str, str]:
        return (name_key(self.cemetery), name_key(self.section), name_key(self.plot))

    def concession_key(self) -> tuple[Any, ...]:
        if self.concession_number:
            return (*self.plot_key(), name_key(self.concession_number))
        return (*self.plot_key(), "", self.act_date, self.concession_kind)


@dataclass
class ParsedFile:
    rows: list[ImportRow]
    messages: list[ImportMessage]
    encoding: str
    delimiter: str
    line_count: int

    @property
    def errors(self) -> list[ImportMessage]:
        return [message for message in self.messages if message.is_error]

    @property
    def warnings(self) -> list[ImportMessage]:
        return [message for message in self.messages if not message.is_error]


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding found: UTF-8 (with or without BOM), else
    Windows-1252, else Latin-1. Refuses what is not text."""
    if not data.strip():
        raise ImportFileRejected(_("Le fichier est vide."))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileRejected(
            _(
                "Ce fichier est un classeur (Excel ou LibreOffice), pas un fichier CSV : "
                "ouvrez-le et choisissez « Enregistrer sous… » au format CSV."
            )
        )
    if b"\x00" in data[:65536]:
        raise ImportFileRejected(
            _("Ce fichier n'est pas un fichier texte : enregistrez le tableau au format CSV.")
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), encoding.removesuffix("-sig")
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _sniff_delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in (";", "\t", ",")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


class _LineParser:
    def __init__(self, line: int, values: dict[str, str], headers: dict[str, str]) -> None:
        self.line = line
        self.values = values
        self.headers = headers
        self.messages: list[ImportMessage] = []

    def error(self, column: str, text: str) -> None:
        self.messages.append(ImportMessage(self.line, self.headers.get(column, column), text, True))

    def warning(self, column: str, text: str) -> None:
        self.messages.append(
            ImportMessage(self.line, self.headers.get(column, column), text, False)
        )

    def get(self, column: str) -> str:
        return " ".join(self.values.get(column, "").split())

    def date(self, column: str) -> datetime.date | None:
        text = self.get(column)
        if not text:
            return None
        try:
            return parse_date(text)
        except _BadValue as error:
            self.error(column, str(error))
            return None

    def integer(self, column: str) -> int | None:
        text = self.get(column)
        if not text:
            return None
        match = _YEARS_WORD.match(normalise_label(text))
        if not match:
            self.error(column, _("« %(value)s » n'est pas un nombre entier.") % {"value": text})
            return None
        return int(match.group(1))


def _parse_line(
    parser: _LineParser, *, today: datetime.date, default_cemetery: str
) -> ImportRow | None:
    get = parser.get
    plot = get("plot")
    if not plot:
        parser.error("plot", _("le numéro d'emplacement est obligatoire."))
        return None
    row = ImportRow(
        line=parser.line,
        cemetery=get("cemetery") or default_cemetery,
        section=get("section") or _("Sans carré"),
        plot=plot[:50],
    )
    if not row.cemetery:
        parser.error("cemetery", _("le nom du cimetière est obligatoire."))
        return None
    if kind_text := get("plot_kind"):
        row.plot_kind = PLOT_KIND_WORDS.get(normalise_label(kind_text))
        if row.plot_kind is None:
            parser.error(
                "plot_kind",
                _(
                    "« %(value)s » n'est pas un type d'emplacement connu (terrain, caveau, "
                    "columbarium, cavurne, terrain commun, ossuaire, jardin du souvenir, "
                    "caveau provisoire)."
                )
                % {"value": kind_text},
            )
    row.capacity = parser.integer("capacity")
    if row.capacity == 0:
        parser.error("capacity", _("un emplacement a au moins une place."))

    row.has_concession = any(get(column) for column in CONCESSION_COLUMNS)
    if row.has_concession:
        row.concession_number = get("concession_number")[:50]
        row.act_date = parser.date("act_date")
        row.holder_name = get("holder_name")
        row.holder_address = get("holder_address")
        if scope_text := get("concession_scope"):
            row.concession_scope = SCOPE_WORDS.get(normalise_label(scope_text))
            if row.concession_scope is None:
                parser.error(
                    "concession_scope",
                    _(
                        "« %(value)s » n'est pas une étendue connue (individuelle, collective "
                        "ou familiale)."
                    )
                    % {"value": scope_text},
                )
        row.duration_years = parser.integer("duration_years")
        kind_text = get("concession_kind")
        parsed_kind = parse_concession_kind(kind_text) if kind_text else None
        if kind_text and parsed_kind is None:
            row.has_invalid_kind = True
            parser.error(
                "concession_kind",
                _(
                    "« %(value)s » n'est pas un type de concession connu (temporaire, "
                    "trentenaire, cinquantenaire, perpétuelle, centenaire, ou « 15 ans »)."
                )
                % {"value": kind_text},
            )
        elif parsed_kind is not None:
            row.concession_kind, implied_years = parsed_kind
            if implied_years is not None:
                if row.duration_years is not None and row.duration_years != implied_years:
                    parser.error(
                        "duration_years",
                        _("%(years)s ans ne correspond pas au type « %(kind)s » (%(implied)s ans).")
                        % {
                            "years": row.duration_years,
                            "kind": kind_text,
                            "implied": implied_years,
                        },
                    )
                row.duration_years = implied_years
        elif row.duration_years is not None:
            # Only the duration is given: it says the kind.
            parsed_kind = parse_concession_kind(str(row.duration_years))
            if parsed_kind is not None:
                row.concession_kind = parsed_kind[0]
        _check_concession(parser, row, today=today)

    row.has_deceased = any(get(column) for column in DECEASED_COLUMNS)
    if row.has_deceased:
        name = get("deceased_name")
        if not name:
            parser.error(
                "deceased_name",
                _("des dates de défunt sont données sans son nom."),
            )
        else:
            last, first = split_deceased_name(name)
            row.deceased_last_name, row.deceased_first_names = last[:150], first[:200]
        row.birth_date = parser.date("deceased_birth_date")
        row.death_date = parser.date("deceased_death_date")
        row.burial_date = parser.date("burial_date")
        _check_deceased(parser, row, today=today)
    return row


def _check_concession(parser: _LineParser, row: ImportRow, *, today: datetime.date) -> None:
    """Durations of CGCT L2223-14: a temporary concession lasts at most 15 years; the others
    have a fixed duration (or none, when perpetual). Whether the kind and the duration are
    known at all is checked once per concession, across its lines."""
    kind = row.concession_kind
    if kind == ConcessionKind.TEMPORARY:
        if row.duration_years is not None and not 0 < row.duration_years <= TEMPORARY_MAX_YEARS:
            parser.error(
                "duration_years",
                _(
                    "une concession temporaire dure 15 ans au plus (article L2223-14 du CGCT), "
                    "pas %(years)s ans."
                )
                % {"years": row.duration_years},
            )
    elif kind is not None and row.duration_years is not None:
        expected = KIND_DURATION_YEARS.get(kind)
        if expected is None:
            parser.warning(
                "duration_years",
                _("une concession perpétuelle n'a pas de durée : « %(years)s » est ignoré.")
                % {"years": row.duration_years},
            )
        elif expected != row.duration_years:
            parser.error(
                "duration_years",
                _("%(years)s ans ne correspond pas à une concession de %(expected)s ans.")
                % {"years": row.duration_years, "expected": expected},
            )
        row.duration_years = None
    if row.act_date and row.act_date > today:
        parser.error("act_date", _("la date de l'acte est dans le futur."))


def _check_deceased(parser: _LineParser, row: ImportRow, *, today: datetime.date) -> None:
    birth, death, burial = row.birth_date, row.death_date, row.burial_date
    if death and death > today:
        parser.error("deceased_death_date", _("la date de décès est dans le futur."))
    if birth and birth > today:
        parser.error("deceased_birth_date", _("la date de naissance est dans le futur."))
    if birth and death and birth > death:
        parser.error(
            "deceased_birth_date", _("la date de naissance est postérieure à la date de décès.")
        )
    if burial and death and burial < death:
        parser.error("burial_date", _("l'inhumation a lieu avant le décès."))
    if burial and birth and burial < birth and not death:
        parser.error("burial_date", _("l'inhumation a lieu avant la naissance."))
    if burial and burial > today:
        parser.error("burial_date", _("la date d'inhumation est dans le futur."))


def parse_file(data: bytes, *, today: datetime.date, default_cemetery: str = "") -> ParsedFile:
    """Read and check every line; cross-line checks (repeated concession columns, capacity)
    are made here too, so that the messages come in one list."""
    text, encoding = decode_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:  # pragma: no cover - the empty file is refused before
        raise ImportFileRejected(_("Le fichier est vide.")) from None
    messages: list[ImportMessage] = []
    columns: dict[int, str] = {}
    headers: dict[str, str] = {}
    for index, label in enumerate(header):
        written = " ".join(label.split())
        column = _ALIAS_TO_COLUMN.get(normalise_label(label))
        if column is None:
            if written:
                messages.append(
                    ImportMessage(
                        1, written, _("colonne inconnue, elle est ignorée."), is_error=False
                    )
                )
            continue
        if column in headers:
            messages.append(
                ImportMessage(
                    1,
                    written,
                    _("colonne en double (déjà lue dans « %(first)s »), elle est ignorée.")
                    % {"first": headers[column]},
                    is_error=False,
                )
            )
            continue
        columns[index] = column
        headers[column] = written
    if "plot" not in headers:
        raise ImportFileRejected(
            _(
                "La première ligne du fichier doit nommer les colonnes, dont au moins "
                "« emplacement » (numéro de l'emplacement). Colonnes lues : %(found)s."
            )
            % {"found": ", ".join(f"« {' '.join(label.split())} »" for label in header) or "—"}
        )
    if "cemetery" not in headers and not default_cemetery:
        default_cemetery = _("Cimetière communal")

    rows: list[ImportRow] = []
    line_count = 0
    for record in reader:
        line = reader.line_num
        if not any(value.strip() for value in record):
            continue
        line_count += 1
        values = {columns[index]: value for index, value in enumerate(record) if index in columns}
        parser = _LineParser(line, values, headers)
        row = _parse_line(parser, today=today, default_cemetery=default_cemetery)
        messages.extend(parser.messages)
        if row is not None:
            rows.append(row)
    messages.extend(_check_across_lines(rows, headers))
    messages.sort(key=lambda message: message.line)
    return ParsedFile(
        rows=rows,
        messages=messages,
        encoding=encoding,
        delimiter=delimiter,
        line_count=line_count,
    )


_CONCESSION_FIELDS = (
    ("concession_kind", "concession_kind"),
    ("act_date", "act_date"),
    ("duration_years", "duration_years"),
    ("holder_name", "holder_name"),
    ("holder_address", "holder_address"),
    ("concession_scope", "concession_scope"),
)


def _shown(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, ConcessionKind | PlotKind | ConcessionScope):
        return str(value.label)
    return str(value)


def _check_across_lines(rows: list[ImportRow], headers: dict[str, str]) -> list[ImportMessage]:
    """The same plot or concession repeated on several lines must say the same thing; an
    empty cell on a repeated line is fine (it says nothing)."""
    messages: list[ImportMessage] = []
    plot_first: dict[tuple[str, str, str], ImportRow] = {}
    plot_kind_line: dict[tuple[str, str, str], ImportRow] = {}
    concession_first: dict[tuple[Any, ...], dict[str, ImportRow]] = {}
    for row in rows:
        plot_key = row.plot_key()
        plot_first.setdefault(plot_key, row)
        if row.plot_kind is not None:
            earlier = plot_kind_line.setdefault(plot_key, row)
            if earlier.plot_kind != row.plot_kind:
                messages.append(
                    ImportMessage(
                        row.line,
                        headers.get("plot_kind", "plot_kind"),
                        _(
                            "« %(value)s » contredit la ligne %(other)s (« %(first)s ») pour le "
                            "même emplacement."
                        )
                        % {
                            "value": _shown(row.plot_kind),
                            "other": earlier.line,
                            "first": _shown(earlier.plot_kind),
                        },
                        is_error=True,
                    )
                )
        if not row.has_concession or not row.concession_number:
            continue
        seen = concession_first.setdefault(row.concession_key(), {})
        for attribute, column in _CONCESSION_FIELDS:
            value = getattr(row, attribute)
            if value in (None, ""):
                continue
            earlier = seen.setdefault(attribute, row)
            earlier_value = getattr(earlier, attribute)
            if attribute in ("holder_name", "holder_address"):
                same = normalise_label(str(value)) == normalise_label(str(earlier_value))
            else:
                same = earlier_value == value
            if not same:
                messages.append(
                    ImportMessage(
                        row.line,
                        headers.get(column, column),
                        _(
                            "« %(value)s » contredit la ligne %(other)s (« %(first)s ») pour la "
                            "même concession n° %(number)s."
                        )
                        % {
                            "value": _shown(value),
                            "other": earlier.line,
                            "first": _shown(earlier_value),
                            "number": row.concession_number,
                        },
                        is_error=True,
                    )
                )
    messages.extend(_check_concessions_complete(rows, headers))
    messages.extend(_check_one_concession_per_plot(rows))
    return messages


def _check_one_concession_per_plot(rows: list[ImportRow]) -> list[ImportMessage]:
    """Several concessions on one plot are imported (an old one and its successor are both
    history), but all as running: the secretary is told to record the end of the old one."""
    concessions: dict[tuple[str, str, str], dict[tuple[Any, ...], ImportRow]] = {}
    for row in rows:
        if row.has_concession:
            concessions.setdefault(row.plot_key(), {}).setdefault(row.concession_key(), row)
    messages = []
    for found in concessions.values():
        if len(found) < 2:
            continue
        first = next(iter(found.values()))
        names = ", ".join(row.concession_number or _("sans numéro") for row in found.values())
        messages.append(
            ImportMessage(
                first.line,
                "",
                _(
                    "l'emplacement %(plot)s (%(section)s) porte %(count)s concessions "
                    "(%(names)s) ; elles sont toutes importées comme en cours : indiquez ensuite "
                    "la fin de l'ancienne sur sa fiche."
                )
                % {
                    "plot": first.plot,
                    "section": first.section,
                    "count": len(found),
                    "names": names,
                },
                is_error=False,
            )
        )
    return messages


def _check_concessions_complete(
    rows: list[ImportRow], headers: dict[str, str]
) -> list[ImportMessage]:
    """Once the lines of a concession are put together, its kind (and, for a temporary one,
    its duration) must be known: without them its expiry cannot be computed (L2223-14)."""
    first_line: dict[tuple[Any, ...], int] = {}
    kinds: dict[tuple[Any, ...], ConcessionKind | None] = {}
    durations: dict[tuple[Any, ...], int | None] = {}
    for row in rows:
        if not row.has_concession or row.has_invalid_kind:
            continue
        key = row.concession_key()
        first_line.setdefault(key, row.line)
        kinds[key] = kinds.get(key) or row.concession_kind
        if durations.get(key) is None:
            durations[key] = row.duration_years
    messages = []
    for key, line in first_line.items():
        kind = kinds[key]
        if kind is None:
            messages.append(
                ImportMessage(
                    line,
                    headers.get("concession_kind", "concession_kind"),
                    _(
                        "le type de concession est inconnu : indiquez temporaire (avec sa durée), "
                        "trentenaire, cinquantenaire ou perpétuelle ; sans lui, l'échéance ne "
                        "peut pas être calculée."
                    ),
                    is_error=True,
                )
            )
        elif kind == ConcessionKind.TEMPORARY and durations[key] is None:
            messages.append(
                ImportMessage(
                    line,
                    headers.get("duration_years", "duration_years"),
                    _("une concession temporaire doit avoir sa durée (15 ans au plus)."),
                    is_error=True,
                )
            )
    return messages


# --- Writing ----------------------------------------------------------------------------------


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


MODEL_LABELS = {
    "cemeteries": gettext_lazy("Cimetières"),
    "sections": gettext_lazy("Carrés"),
    "plots": gettext_lazy("Emplacements"),
    "concessions": gettext_lazy("Concessions"),
    "holders": gettext_lazy("Concessionnaires"),
    "deceased": gettext_lazy("Défunts"),
    "burials": gettext_lazy("Inhumations"),
}


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    parsed: ParsedFile
    counts: dict[str, Counts] = field(default_factory=dict)
    written: bool = False
    concession_ids: list[int] = field(default_factory=list)
    quality: QualitySummary | None = None

    @property
    def errors(self) -> list[ImportMessage]:
        return self.parsed.errors

    @property
    def warnings(self) -> list[ImportMessage]:
        return self.parsed.warnings

    @property
    def is_clean(self) -> bool:
        return not self.errors

    def count_rows(self) -> list[tuple[str, Counts]]:
        """(French label, counts) in a fixed order, for templates and the command."""
        return [(str(MODEL_LABELS[key]), self.counts.get(key, Counts())) for key in MODEL_LABELS]


def import_cemetery_file(
    *,
    commune: Commune,
    data: bytes,
    today: datetime.date,
    dry_run: bool = False,
    default_cemetery: str = "",
) -> ImportResult:
    """Parse, check and write a cemetery spreadsheet, all or nothing.

    With errors, nothing is written and the result lists them. With ``dry_run``, the write runs
    inside a transaction that is rolled back, so the counts are exactly what a real import would
    do. Raises :class:`ImportFileRejected` when the file as a whole is unreadable.
    """
    parsed = parse_file(data, today=today, default_cemetery=default_cemetery)
    result = ImportResult(parsed=parsed)
    if parsed.errors:
        return result
    with transaction.atomic():
        writer = _Writer(commune=commune, result=result)
        concessions = writer.write(parsed.rows)
        result.quality = summarise_quality(concessions_quality(concessions).values())
        if dry_run:
            transaction.set_rollback(True)
        else:
            result.written = True
    return result


def name_key(text: str) -> str:
    """How names and numbers are matched: ``"Cimetière  communal"`` = ``"cimetiere communal"``,
    ``"C-12"`` = ``"c 12"``."""
    return normalise_label(text) or text.strip()


class _Writer:
    """Applies validated rows with a handful of queries per model (bulk reads and writes)."""

    def __init__(self, *, commune: Commune, result: ImportResult) -> None:
        self.commune = commune
        self.result = result
        self.counts = result.counts
        for key in MODEL_LABELS:
            self.counts[key] = Counts()

    def write(self, rows: list[ImportRow]) -> list[Concession]:
        cemeteries = self._cemeteries(rows)
        sections = self._sections(rows, cemeteries)
        plots = self._plots(rows, cemeteries, sections)
        concessions = self._concessions(rows, plots)
        self._holders(rows, concessions)
        self._burials(rows, plots, concessions)
        self.result.concession_ids = sorted({concession.pk for concession in concessions.values()})
        return list(concessions.values())

    # Each step: read what exists for the commune, create what is missing in bulk, update in bulk.

    def _cemeteries(self, rows: list[ImportRow]) -> dict[str, Cemetery]:
        existing = {
            name_key(cemetery.name): cemetery
            for cemetery in Cemetery.objects.for_commune(self.commune)
        }
        wanted: dict[str, str] = {}
        for row in rows:
            wanted.setdefault(name_key(row.cemetery), row.cemetery[:200])
        new = [
            Cemetery(commune=self.commune, name=name)
            for key, name in wanted.items()
            if key not in existing
        ]
        Cemetery.objects.bulk_create(new)
        existing.update({name_key(cemetery.name): cemetery for cemetery in new})
        self.counts["cemeteries"].created = len(new)
        self.counts["cemeteries"].unchanged = len(wanted) - len(new)
        return existing

    def _sections(
        self, rows: list[ImportRow], cemeteries: dict[str, Cemetery]
    ) -> dict[tuple[str, str], Section]:
        by_id = {cemetery.pk: key for key, cemetery in cemeteries.items()}
        existing = {
            (by_id[section.cemetery_id], name_key(section.name)): section
            for section in Section.objects.for_commune(self.commune).filter(
                cemetery_id__in=list(by_id)
            )
        }
        wanted: dict[tuple[str, str], tuple[Cemetery, str]] = {}
        for row in rows:
            key = (name_key(row.cemetery), name_key(row.section))
            wanted.setdefault(key, (cemeteries[key[0]], row.section[:100]))
        new = []
        for key, (cemetery, name) in wanted.items():
            if key not in existing:
                section = Section(commune=self.commune, cemetery=cemetery, name=name)
                new.append(section)
                existing[key] = section
        Section.objects.bulk_create(new)
        self.counts["sections"].created = len(new)
        self.counts["sections"].unchanged = len(wanted) - len(new)
        return existing

    def _plots(
        self,
        rows: list[ImportRow],
        cemeteries: dict[str, Cemetery],
        sections: dict[tuple[str, str], Section],
    ) -> dict[tuple[str, str, str], Plot]:
        section_keys = {section.pk: key for key, section in sections.items()}
        existing = {
            (*section_keys[plot.section_id], name_key(plot.number)): plot
            for plot in Plot.objects.for_commune(self.commune).filter(
                section_id__in=list(section_keys)
            )
        }
        kinds: dict[tuple[str, str, str], PlotKind | None] = {}
        capacities: dict[tuple[str, str, str], int | None] = {}
        has_concession: set[tuple[str, str, str]] = set()
        numbers: dict[tuple[str, str, str], str] = {}
        for row in rows:
            key = row.plot_key()
            numbers.setdefault(key, row.plot)
            if row.plot_kind is not None or key not in kinds:
                kinds[key] = row.plot_kind or kinds.get(key)
            if row.capacity is not None:
                capacities[key] = max(row.capacity, capacities.get(key) or 0)
            if row.has_concession:
                has_concession.add(key)
        self.plot_capacity_given = capacities
        new: list[Plot] = []
        changed: list[Plot] = []
        self.changed_plots: set[int] = set()
        for key, number in numbers.items():
            kind = kinds.get(key)
            if key in existing:
                plot = existing[key]
                is_changed = False
                if kind is not None and plot.kind != kind:
                    plot.kind = kind
                    is_changed = True
                if capacities.get(key) is not None and plot.capacity != capacities[key]:
                    plot.capacity = capacities[key] or 1
                    is_changed = True
                if is_changed:
                    changed.append(plot)
                continue
            if kind is None:
                kind = (
                    PlotKind.CONCESSION_GROUND if key in has_concession else PlotKind.COMMON_GROUND
                )
            section = sections[(key[0], key[1])]
            plot = Plot(
                commune=self.commune,
                cemetery=cemeteries[key[0]],
                section=section,
                number=number,
                kind=kind,
                capacity=capacities.get(key) or 1,
            )
            new.append(plot)
            existing[key] = plot
        Plot.objects.bulk_create(new, batch_size=1000)
        Plot.objects.bulk_update(changed, ["kind", "capacity"], batch_size=1000)
        self.new_plot_ids = {plot.pk for plot in new}
        self.changed_plots = {plot.pk for plot in changed}
        self.counts["plots"].created = len(new)
        self.counts["plots"].updated = len(changed)
        self.counts["plots"].unchanged = len(numbers) - len(new) - len(changed)
        return existing

    def _concessions(
        self, rows: list[ImportRow], plots: dict[tuple[str, str, str], Plot]
    ) -> dict[tuple[Any, ...], Concession]:
        plot_keys = {plot.pk: key for key, plot in plots.items()}
        existing: dict[tuple[Any, ...], Concession] = {}
        for concession in Concession.objects.for_commune(self.commune).filter(
            plot_id__in=list(plot_keys)
        ):
            plot_key = plot_keys[concession.plot_id]
            if concession.number:
                existing[(*plot_key, name_key(concession.number))] = concession
            else:
                existing[(*plot_key, "", concession.act_date, concession.kind)] = concession
        merged: dict[tuple[Any, ...], ImportRow] = {}
        for row in rows:
            if not row.has_concession:
                continue
            key = row.concession_key()
            if key not in merged:
                merged[key] = ImportRow(
                    line=row.line, cemetery=row.cemetery, section=row.section, plot=row.plot
                )
            target = merged[key]
            for attribute in (
                "concession_number",
                "concession_kind",
                "act_date",
                "duration_years",
                "holder_name",
                "holder_address",
                "concession_scope",
            ):
                if getattr(target, attribute) in (None, "") and getattr(row, attribute) not in (
                    None,
                    "",
                ):
                    setattr(target, attribute, getattr(row, attribute))
        self.merged_concessions = merged
        new: list[Concession] = []
        changed: list[Concession] = []
        result: dict[tuple[Any, ...], Concession] = {}
        for key, row in merged.items():
            concession = existing.get(key)
            if concession is None:
                concession = Concession(
                    commune=self.commune,
                    plot=plots[row.plot_key()],
                    number=row.concession_number,
                    act_date=row.act_date,
                    kind=row.concession_kind or ConcessionKind.PERPETUAL,
                    duration_years=row.duration_years,
                    scope=row.concession_scope or ConcessionScope.UNKNOWN,
                )
                new.append(concession)
            else:
                is_changed = False
                for attribute, value in (
                    ("act_date", row.act_date),
                    ("kind", row.concession_kind),
                    ("duration_years", row.duration_years),
                    ("scope", row.concession_scope),
                ):
                    if value is not None and getattr(concession, attribute) != value:
                        setattr(concession, attribute, value)
                        is_changed = True
                if is_changed:
                    changed.append(concession)
            result[key] = concession
        Concession.objects.bulk_create(new, batch_size=1000)
        Concession.objects.bulk_update(
            changed, ["act_date", "kind", "duration_years", "scope"], batch_size=1000
        )
        self.counts["concessions"].created = len(new)
        self.counts["concessions"].updated = len(changed)
        self.counts["concessions"].unchanged = len(merged) - len(new) - len(changed)
        return result

    def _holders(
        self, rows: list[ImportRow], concessions: dict[tuple[Any, ...], Concession]
    ) -> None:
        ids = [concession.pk for concession in concessions.values()]
        holders_of: dict[int, list[Holder]] = defaultdict(list)
        for holder in Holder.objects.for_commune(self.commune).filter(concession_id__in=ids):
            holders_of[holder.concession_id].append(holder)
        new: list[Holder] = []
        changed: list[Holder] = []
        unchanged = 0
        for key, row in self.merged_concessions.items():
            if not row.holder_name:
                continue
            concession = concessions[key]
            known = holders_of.get(concession.pk, [])
            wanted = normalise_label(row.holder_name)
            holder = next(
                (item for item in known if normalise_label(item.full_name) == wanted), None
            )
            if holder is None:
                new.append(
                    Holder(
                        commune=self.commune,
                        concession=concession,
                        full_name=row.holder_name,
                        address=row.holder_address,
                        position=len(known),
                    )
                )
            elif row.holder_address and holder.address != row.holder_address:
                holder.address = row.holder_address
                changed.append(holder)
            else:
                unchanged += 1
        Holder.objects.bulk_create(new, batch_size=1000)
        for holder in changed:
            # One by one: bulk_update skips the field's pre_save, which seals the value.
            holder.save(update_fields=["address"])
        self.counts["holders"].created = len(new)
        self.counts["holders"].updated = len(changed)
        self.counts["holders"].unchanged = unchanged

    def _burials(
        self,
        rows: list[ImportRow],
        plots: dict[tuple[str, str, str], Plot],
        concessions: dict[tuple[Any, ...], Concession],
    ) -> None:
        plot_ids = [plot.pk for plot in plots.values()]
        existing: dict[tuple[Any, ...], Burial] = {}
        present: dict[int, set[int]] = defaultdict(set)
        for burial in (
            Burial.objects.for_commune(self.commune)
            .filter(plot_id__in=plot_ids)
            .select_related("deceased")
        ):
            deceased = burial.deceased
            key = (
                burial.plot_id,
                name_key(deceased.last_name),
                name_key(deceased.first_names),
                deceased.birth_date,
                deceased.death_date,
            )
            existing.setdefault(key, burial)
            if burial.is_present:
                present[burial.plot_id].add(burial.pk)
        new_deceased: list[Deceased] = []
        new_burials: list[Burial] = []
        changed: list[Burial] = []
        unchanged = 0
        seen: set[tuple[Any, ...]] = set()
        new_per_plot: dict[int, int] = defaultdict(int)
        for row in rows:
            if not row.has_deceased or not row.deceased_last_name:
                continue
            plot = plots[row.plot_key()]
            key = (
                plot.pk,
                name_key(row.deceased_last_name),
                name_key(row.deceased_first_names),
                row.birth_date,
                row.death_date,
            )
            if key in seen:
                continue
            seen.add(key)
            concession = concessions.get(row.concession_key()) if row.has_concession else None
            burial = existing.get(key)
            if burial is None:
                deceased = Deceased(
                    commune=self.commune,
                    last_name=row.deceased_last_name,
                    first_names=row.deceased_first_names,
                    birth_date=row.birth_date,
                    death_date=row.death_date,
                )
                new_deceased.append(deceased)
                new_burials.append(
                    Burial(
                        commune=self.commune,
                        deceased=deceased,
                        plot=plot,
                        concession=concession,
                        buried_on=row.burial_date,
                    )
                )
                new_per_plot[plot.pk] += 1
                continue
            is_changed = False
            if row.burial_date and burial.buried_on != row.burial_date:
                burial.buried_on = row.burial_date
                is_changed = True
            if concession is not None and burial.concession_id != concession.pk:
                burial.concession = concession
                is_changed = True
            if is_changed:
                changed.append(burial)
            else:
                unchanged += 1
        Deceased.objects.bulk_create(new_deceased, batch_size=1000)
        Burial.objects.bulk_create(new_burials, batch_size=1000)
        Burial.objects.bulk_update(changed, ["buried_on", "concession"], batch_size=1000)
        self.counts["deceased"].created = len(new_deceased)
        self.counts["deceased"].unchanged = unchanged + len(changed)
        self.counts["burials"].created = len(new_burials)
        self.counts["burials"].updated = len(changed)
        self.counts["burials"].unchanged = unchanged
        self._fit_capacities(plots, present, new_per_plot)

    def _fit_capacities(
        self,
        plots: dict[tuple[str, str, str], Plot],
        present: dict[int, set[int]],
        new_per_plot: dict[int, int],
    ) -> None:
        """Capacity = max(capacity given or known, burials present); a warning when raised
        above a capacity somebody wrote down."""
        raised: list[Plot] = []
        for key, plot in plots.items():
            occupied = len(present.get(plot.pk, ())) + new_per_plot.get(plot.pk, 0)
            if occupied <= plot.capacity:
                continue
            was_known = plot.pk not in self.new_plot_ids or self.plot_capacity_given.get(key)
            if was_known:
                self.result.parsed.messages.append(
                    ImportMessage(
                        self._first_line_of(key),
                        "",
                        _(
                            "l'emplacement %(plot)s (%(section)s) compte %(count)s défunts pour "
                            "%(capacity)s places : sa capacité est portée à %(count)s."
                        )
                        % {
                            "plot": plot.number,
                            "section": plot.section.name,
                            "count": occupied,
                            "capacity": plot.capacity,
                        },
                        is_error=False,
                    )
                )
            plot.capacity = occupied
            raised.append(plot)
        Plot.objects.bulk_update(raised, ["capacity"], batch_size=1000)
        counts = self.counts["plots"]
        for plot in raised:
            if plot.pk in self.new_plot_ids or plot.pk in self.changed_plots:
                continue
            self.changed_plots.add(plot.pk)
            counts.updated += 1
            counts.unchanged -= 1
        self.result.parsed.messages.sort(key=lambda message: message.line)

    def _first_line_of(self, key: tuple[str, str, str]) -> int:
        if not hasattr(self, "_plot_lines"):
            self._plot_lines: dict[tuple[str, str, str], int] = {}
            for row in self.result.parsed.rows:
                self._plot_lines.setdefault(row.plot_key(), row.line)
        return self._plot_lines.get(key, 1)


def summarise(messages: Iterable[ImportMessage], limit: int = 200) -> list[str]:
    """The first ``limit`` messages as text (a page or a terminal does not need 10,000)."""
    return [str(message) for _index, message in zip(range(limit), messages, strict=False)]


@dataclass
class ImportSummary:
    """What an import did, in a form that survives a trip through a task result (JSON)."""

    line_count: int
    is_written: bool
    counts: dict[str, Counts]
    errors: list[str]
    warnings: list[str]
    error_count: int
    warning_count: int
    quality: QualitySummary | None

    @classmethod
    def from_result(cls, result: ImportResult, limit: int = 200) -> ImportSummary:
        return cls(
            line_count=result.parsed.line_count,
            is_written=result.written,
            counts=result.counts,
            errors=summarise(result.errors, limit),
            warnings=summarise(result.warnings, limit),
            error_count=len(result.errors),
            warning_count=len(result.warnings),
            quality=result.quality,
        )

    def count_rows(self) -> list[tuple[str, Counts]]:
        return [(str(MODEL_LABELS[key]), self.counts.get(key, Counts())) for key in MODEL_LABELS]

    def to_json(self) -> dict[str, Any]:
        return {
            "line_count": self.line_count,
            "is_written": self.is_written,
            "counts": {
                key: [value.created, value.updated, value.unchanged]
                for key, value in self.counts.items()
            },
            "errors": self.errors,
            "warnings": self.warnings,
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "quality": None
            if self.quality is None
            else {
                "count": self.quality.count,
                "average_score": self.quality.average_score,
                "issue_counts": self.quality.issue_counts,
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportSummary:
        quality = data.get("quality")
        return cls(
            line_count=data["line_count"],
            is_written=data["is_written"],
            counts={key: Counts(*values) for key, values in data["counts"].items()},
            errors=data["errors"],
            warnings=data["warnings"],
            error_count=data["error_count"],
            warning_count=data["warning_count"],
            quality=None
            if quality is None
            else QualitySummary(
                count=quality["count"],
                average_score=quality["average_score"],
                issue_counts=[(label, count) for label, count in quality["issue_counts"]],
            ),
        )


# Files with more lines than this are imported by the worker, with a status page.
BACKGROUND_FROM_LINES = 2_000


@task()
def import_cemetery_file_in_background(
    *, commune_id: int, file_id: str, default_cemetery: str = ""
) -> dict[str, Any]:
    """The import of a file waiting sealed in the vault, run by the worker; returns the
    summary as JSON for the status page. All or nothing, like the import in a request."""
    from clocher.core import rls, vault
    from clocher.core.models import VaultFile

    commune = Commune.objects.get(pk=commune_id)
    file = VaultFile.objects.for_commune(commune).get(pk=file_id)
    with rls.commune_scope(commune_id), translation.override("fr"):
        result = import_cemetery_file(
            commune=commune,
            data=vault.read_file(file),
            today=timezone.localdate(),
            default_cemetery=default_cemetery,
        )
        return ImportSummary.from_result(result).to_json()
