"""Forms of the secretary's concession pages: grant, renew, repossess, holders, tariffs.

They parse input; the services in ``services/concessions.py`` decide (CGCT L2223-13 to L2223-15)
and their refusals are shown on the field they concern.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clocher.cimetiere.forms import _date
from clocher.cimetiere.models import ConcessionKind, ConcessionScope, PlotKind
from clocher.cimetiere.models.concessions import TEMPORARY_MAX_YEARS
from clocher.core.forms import Form

GRANTABLE_KINDS = [
    (value, label) for value, label in ConcessionKind.choices if value != ConcessionKind.CENTENARY
]
HOLDER_ROWS = 3
BENEFICIARY_ROWS = 3


def _duration() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Durée en années (concession temporaire)"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("15 ans au plus (L2223-14) ; laissez vide pour une autre durée."),
    )


def _money(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=help_text,
    )


class ConcessionGrantForm(Form):
    kind = forms.ChoiceField(label=_("Durée de la concession"), choices=GRANTABLE_KINDS)
    duration_years = _duration()
    scope = forms.ChoiceField(
        label=_("Bénéficiaires"), choices=ConcessionScope.choices, initial=ConcessionScope.FAMILY
    )
    number = forms.CharField(label=_("Numéro de l'acte"), max_length=50)
    act_date = _date(_("Date de l'acte"))
    surface_m2 = forms.DecimalField(
        label=_("Surface (m²)"), required=False, min_value=0, max_digits=6, decimal_places=2
    )
    price_paid = _money(
        _("Prix (€)"),
        required=False,
        help_text=_(
            "Prérempli avec le tarif trentenaire voté par le conseil municipal ; modifiable. "
            "Laissez vide pour appliquer le tarif de la durée choisie."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(HOLDER_ROWS):
            first = index == 0
            self.fields[f"holder_{index}_full_name"] = forms.CharField(
                label=_("Nom et prénom"), max_length=300, required=first
            )
            self.fields[f"holder_{index}_address"] = forms.CharField(
                label=_("Adresse"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"holder_{index}_phone"] = forms.CharField(
                label=_("Téléphone"), max_length=50, required=False
            )
            self.fields[f"holder_{index}_email"] = forms.EmailField(
                label=_("Adresse électronique"),
                required=False,
                error_messages={"invalid": _("Adresse électronique invalide.")},
            )
        for index in range(BENEFICIARY_ROWS):
            self.fields[f"beneficiary_{index}_full_name"] = forms.CharField(
                label=_("Nom et prénom"), max_length=300, required=False
            )
            self.fields[f"beneficiary_{index}_relationship"] = forms.CharField(
                label=_("Lien avec le titulaire"), max_length=100, required=False
            )

    def groups(self) -> list[tuple[Any, list[Any]]]:
        act = [self[name] for name in ("kind", "duration_years", "scope", "number", "act_date")]
        price = [self["surface_m2"], self["price_paid"]]
        groups: list[tuple[Any, list[Any]]] = [(_("Acte"), act), (_("Surface et prix"), price)]
        for index in range(HOLDER_ROWS):
            names = ("full_name", "address", "phone", "email")
            legend: Any = _("Titulaire")
            if index:
                legend = _("Autre titulaire %(n)s (facultatif)") % {"n": index + 1}
            groups.append((legend, [self[f"holder_{index}_{name}"] for name in names]))
        for index in range(BENEFICIARY_ROWS):
            groups.append(
                (
                    _("Ayant droit %(n)s (facultatif)") % {"n": index + 1},
                    [self[f"beneficiary_{index}_{name}"] for name in ("full_name", "relationship")],
                )
            )
        return groups

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") != ConcessionKind.TEMPORARY:
            data["duration_years"] = None
        for index in range(1, HOLDER_ROWS):
            has_details = any(
                data.get(f"holder_{index}_{name}") for name in ("address", "phone", "email")
            )
            if has_details and not data.get(f"holder_{index}_full_name"):
                self.add_error(f"holder_{index}_full_name", _("Indiquez le nom de ce titulaire."))
        for index in range(BENEFICIARY_ROWS):
            if data.get(f"beneficiary_{index}_relationship") and not data.get(
                f"beneficiary_{index}_full_name"
            ):
                self.add_error(
                    f"beneficiary_{index}_full_name", _("Indiquez le nom de cet ayant droit.")
                )
        return data

    def holders(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                name: data.get(f"holder_{index}_{name}") or ""
                for name in ("full_name", "address", "phone", "email")
            }
            for index in range(HOLDER_ROWS)
            if data.get(f"holder_{index}_full_name")
        ]

    def beneficiaries(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "full_name": data[f"beneficiary_{index}_full_name"],
                "relationship": data.get(f"beneficiary_{index}_relationship") or "",
            }
            for index in range(BENEFICIARY_ROWS)
            if data.get(f"beneficiary_{index}_full_name")
        ]


class ConcessionRenewForm(Form):
    kind = forms.ChoiceField(label=_("Durée de la nouvelle période"), choices=GRANTABLE_KINDS)
    duration_years = _duration()
    requested_by = forms.CharField(
        label=_("Demandé par"),
        max_length=300,
        required=False,
        help_text=_("Nom et prénom : le titulaire ou n'importe quel héritier (L2223-15)."),
    )
    requester_relationship = forms.CharField(
        label=_("Lien avec le titulaire"), max_length=100, required=False
    )
    decided_on = _date(_("Date de la décision"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") != ConcessionKind.TEMPORARY:
            data["duration_years"] = None
        return data


class ConcessionEndForm(Form):
    on = _date(_("Date de la reprise"))
    confirm = forms.BooleanField(
        label=_("Je confirme la reprise du terrain par la commune"),
        error_messages={"required": _("Cochez la case pour confirmer la reprise.")},
    )


class HolderForm(Form):
    full_name = forms.CharField(label=_("Nom et prénom"), max_length=300)
    address = forms.CharField(
        label=_("Adresse"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    phone = forms.CharField(label=_("Téléphone"), max_length=50, required=False)
    email = forms.EmailField(
        label=_("Adresse électronique"),
        required=False,
        error_messages={"invalid": _("Adresse électronique invalide.")},
    )
    is_deceased = forms.BooleanField(label=_("Décédé(e)"), required=False)


class BeneficiaryForm(Form):
    full_name = forms.CharField(label=_("Nom et prénom"), max_length=300)
    relationship = forms.CharField(
        label=_("Lien avec le titulaire"),
        max_length=100,
        required=False,
        help_text=_("Par exemple « fille », « conjoint »."),
    )
    address = forms.CharField(
        label=_("Adresse"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TariffForm(Form):
    plot_kind = forms.ChoiceField(label=_("Type d'emplacement"), choices=PlotKind.choices)
    kind = forms.ChoiceField(label=_("Durée de la concession"), choices=GRANTABLE_KINDS)
    duration_years = forms.IntegerField(
        label=_("Durée en années (concession temporaire)"),
        required=False,
        min_value=1,
        max_value=TEMPORARY_MAX_YEARS,
        help_text=_("15 ans au plus (L2223-14)."),
    )
    max_surface_m2 = forms.DecimalField(
        label=_("Surface jusqu'à (m²)"),
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text=_("Laissez vide si le prix ne dépend pas de la surface."),
    )
    price = _money(_("Prix (€)"))
    valid_from = _date(_("En vigueur à partir du"))
    deliberation_reference = forms.CharField(
        label=_("Délibération du conseil municipal"),
        max_length=100,
        required=False,
        help_text=_("Par exemple « DCM 2025-14 du 12 mars 2025 »."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") != ConcessionKind.TEMPORARY:
            data["duration_years"] = None
        return data
