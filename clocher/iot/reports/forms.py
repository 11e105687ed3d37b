"""The reports' query forms (GET): the period (a month or an ISO week) and each report's own
settings. A wrong value is reported on its field in French; the report is not computed until
the form is valid, and what was typed stays in the fields."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clocher.iot.reports.common import PeriodKind, ReportPeriod
from clocher.iot.reports.river import DEFAULT_ALERT_M, DEFAULT_VIGILANCE_M

FIRST_YEAR = 2000
_MONTH = re.compile(r"^\s*(?P<year>\d{4})-(?P<month>\d{1,2})\s*$")
_MONTH_FRENCH = re.compile(r"^\s*(?P<month>\d{1,2})/(?P<year>\d{4})\s*$")
_WEEK = re.compile(r"^\s*(?P<year>\d{4})-?[WwSs](?P<week>\d{1,2})\s*$")


class MonthInput(forms.TextInput):
    input_type = "month"


class WeekInput(forms.TextInput):
    input_type = "week"


class ReportPeriodForm(forms.Form):
    """A month (``2025-03``, or ``03/2025``) or an ISO week (``2025-W10``, or ``2025-S10``).
    Empty: the current month. ``allow_week=False`` keeps the month only."""

    mois = forms.CharField(
        label=_("Mois"),
        required=False,
        max_length=7,
        help_text=_("Au format AAAA-MM, par exemple 2025-03."),
        widget=MonthInput(attrs={"placeholder": "AAAA-MM"}),
    )
    semaine = forms.CharField(
        label=_("ou une semaine"),
        required=False,
        max_length=8,
        help_text=_("Au format AAAA-Wss, par exemple 2025-W10 (semaine 10 de 2025)."),
        widget=WeekInput(attrs={"placeholder": "AAAA-Wss"}),
    )

    def __init__(self, *args: Any, today: datetime.date, allow_week: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.today = today
        self.allow_week = allow_week
        if not allow_week:
            del self.fields["semaine"]

    def clean_mois(self) -> ReportPeriod | None:
        text = self.cleaned_data.get("mois") or ""
        if not text.strip():
            return None
        match = _MONTH.match(text) or _MONTH_FRENCH.match(text)
        if match is None:
            raise forms.ValidationError(
                _("Indiquez le mois au format AAAA-MM, par exemple 2025-03.")
            )
        year, month = int(match["year"]), int(match["month"])
        if not 1 <= month <= 12:
            raise forms.ValidationError(_("Le mois doit être compris entre 01 et 12."))
        self._check_year(year)
        period = ReportPeriod.month(year, month)
        self._check_started(period)
        return period

    def clean_semaine(self) -> ReportPeriod | None:
        text = self.cleaned_data.get("semaine") or ""
        if not text.strip():
            return None
        match = _WEEK.match(text)
        if match is None:
            raise forms.ValidationError(
                _("Indiquez la semaine au format AAAA-Wss, par exemple 2025-W10.")
            )
        year, week = int(match["year"]), int(match["week"])
        self._check_year(year)
        try:
            period = ReportPeriod.week(year, week)
        except ValueError:
            raise forms.ValidationError(
                _("L'année %(year)d n'a pas de semaine %(week)d.") % {"year": year, "week": week}
            ) from None
        self._check_started(period)
        return period

    def _check_year(self, year: int) -> None:
        if not FIRST_YEAR <= year <= self.today.year:
            raise forms.ValidationError(
                _("L'année doit être comprise entre %(first)d et %(last)d.")
                % {"first": FIRST_YEAR, "last": self.today.year}
            )

    def _check_started(self, period: ReportPeriod) -> None:
        if period.first_day > self.today:
            raise forms.ValidationError(_("Cette période n'a pas encore commencé."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("mois") and cleaned.get("semaine"):
            raise forms.ValidationError(
                _("Choisissez un mois ou une semaine, pas les deux."), code="both"
            )
        return cleaned

    def period(self) -> ReportPeriod:
        """The chosen period (the form must be valid); the current month when none."""
        chosen = self.cleaned_data.get("semaine") or self.cleaned_data.get("mois")
        return chosen or ReportPeriod.containing(self.today, PeriodKind.MONTH)


class AirQualityForm(ReportPeriodForm):
    batiment = forms.ChoiceField(label=_("Bâtiment ou site"), required=False)

    def __init__(self, *args: Any, places: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["batiment"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Tous")), *((place, place) for place in places)]


class LeaksForm(ReportPeriodForm):
    nuits = forms.IntegerField(
        label=_("Nuits consécutives"),
        required=False,
        min_value=1,
        max_value=31,
        help_text=_("Nombre de nuits de suite avec un débit nocturne non nul (3 par défaut)."),
    )


class RiverForm(ReportPeriodForm):
    jauge = forms.ChoiceField(label=_("Jauge"), required=False)
    vigilance = forms.DecimalField(
        label=_("Seuil de vigilance (m)"),
        required=False,
        min_value=-100,
        max_value=100,
        decimal_places=3,
        help_text=_("Hauteur d'eau en mètres ; par défaut 1,00 m."),
    )
    alerte = forms.DecimalField(
        label=_("Seuil d'alerte (m)"),
        required=False,
        min_value=-100,
        max_value=100,
        decimal_places=3,
        help_text=_(
            "Hauteur d'eau en mètres, au-dessus du seuil de vigilance ; par défaut 1,50 m."
        ),
    )

    def __init__(self, *args: Any, gauges: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["jauge"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Toutes")), *((str(pk), name) for pk, name in gauges)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        vigilance = cleaned.get("vigilance")
        alert = cleaned.get("alerte")
        vigilance_m = float(vigilance) if vigilance is not None else DEFAULT_VIGILANCE_M
        alert_m = float(alert) if alert is not None else DEFAULT_ALERT_M
        if (
            "vigilance" not in self.errors
            and "alerte" not in self.errors
            and alert_m <= vigilance_m
        ):
            self.add_error(
                "alerte", _("Le seuil d'alerte doit être plus haut que le seuil de vigilance.")
            )
        return cleaned
