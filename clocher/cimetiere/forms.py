"""Forms of the registry pages: they parse input; services decide and write.

Choices that name commune objects (a section, a burial, an authorising elected official) are
built from querysets the view passes in, already scoped to the commune.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clocher.accounts.models import User
from clocher.cimetiere.models import Burial, Container, Plot, PlotKind, Section
from clocher.core.forms import Form

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
MAX_GEOMETRY_BYTES = 10 * 1024 * 1024


def _date(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_INPUT,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        error_messages={"invalid": _("Date attendue au format JJ/MM/AAAA.")},
    )


class CemeteryForm(Form):
    name = forms.CharField(label=_("Nom du cimetière"), max_length=200)
    address = forms.CharField(
        label=_("Adresse"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SectionForm(Form):
    name = forms.CharField(
        label=_("Nom du carré"),
        max_length=100,
        help_text=_("Par exemple « A » ou « Carré ancien »."),
    )


class PlotBatchForm(Form):
    """« Rang A, numéros 1 à 20 »: one or many plots placed side by side on the grid."""

    section = forms.ModelChoiceField(
        label=_("Carré"), queryset=Section.objects.none(), empty_label=None
    )
    row_name = forms.CharField(
        label=_("Rang ou allée"), max_length=100, required=False, help_text=_("Facultatif.")
    )
    number_prefix = forms.CharField(
        label=_("Préfixe des numéros"),
        max_length=20,
        required=False,
        help_text=_("Facultatif : « A » donne A1, A2…"),
    )
    number_from = forms.IntegerField(label=_("Du numéro"), min_value=0, max_value=999_999)
    number_to = forms.IntegerField(
        label=_("au numéro"),
        min_value=0,
        max_value=999_999,
        help_text=_("Le même numéro pour créer un seul emplacement."),
    )
    kind = forms.ChoiceField(label=_("Type d'emplacement"), choices=PlotKind.choices)
    capacity = forms.IntegerField(label=_("Nombre de places"), min_value=1, max_value=50, initial=2)
    surface_m2 = forms.DecimalField(
        label=_("Surface (m²)"), required=False, min_value=0, max_digits=6, decimal_places=2
    )
    grid_x = forms.IntegerField(
        label=_("Colonne du premier emplacement sur la grille"),
        required=False,
        min_value=0,
        max_value=10_000,
        help_text=_("Facultatif : les suivants sont placés à sa droite."),
    )
    grid_y = forms.IntegerField(
        label=_("Ligne sur la grille"), required=False, min_value=0, max_value=10_000
    )
    grid_width = forms.IntegerField(
        label=_("Largeur (cases)"), min_value=1, max_value=20, initial=1
    )
    grid_height = forms.IntegerField(
        label=_("Hauteur (cases)"), min_value=1, max_value=20, initial=2
    )

    def __init__(self, *args: Any, sections: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = sections  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("grid_x") is None) != (data.get("grid_y") is None):
            self.add_error("grid_y", _("Indiquez la colonne et la ligne, ou aucune des deux."))
        return data


class PlotEditForm(Form):
    kind = forms.ChoiceField(label=_("Type d'emplacement"), choices=PlotKind.choices)
    capacity = forms.IntegerField(label=_("Nombre de places"), min_value=1, max_value=50)
    surface_m2 = forms.DecimalField(
        label=_("Surface (m²)"), required=False, min_value=0, max_digits=6, decimal_places=2
    )
    grid_x = forms.IntegerField(
        label=_("Colonne sur la grille"), required=False, min_value=0, max_value=10_000
    )
    grid_y = forms.IntegerField(
        label=_("Ligne sur la grille"), required=False, min_value=0, max_value=10_000
    )
    grid_width = forms.IntegerField(label=_("Largeur (cases)"), min_value=1, max_value=20)
    grid_height = forms.IntegerField(label=_("Hauteur (cases)"), min_value=1, max_value=20)
    notes = forms.CharField(
        label=_("Remarques"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class GeometryImportForm(Form):
    FORMATS = [
        ("geojson", _("GeoJSON (contours)")),
        ("csv", _("CSV : section,plot,x,y,width,height")),
    ]
    UNITS = [
        ("auto", _("Détecter")),
        ("metres", _("Mètres")),
        ("degrees", _("Longitude et latitude (degrés)")),
    ]

    file_format = forms.ChoiceField(label=_("Format"), choices=FORMATS, initial="geojson")
    file = forms.FileField(label=_("Fichier"))
    units = forms.ChoiceField(
        label=_("Unité des coordonnées (GeoJSON)"),
        choices=UNITS,
        initial="auto",
        help_text=_("Les longitudes et latitudes sont converties en mètres autour du cimetière."),
    )
    create_missing = forms.BooleanField(
        label=_("Créer les carrés et emplacements absents"), required=False
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        data = upload.read(MAX_GEOMETRY_BYTES + 1)
        if len(data) > MAX_GEOMETRY_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 10 Mo."))
        if not data:
            raise forms.ValidationError(_("Le fichier est vide."))
        return bytes(data)


class DeceasedSearchForm(Form):
    q = forms.CharField(
        label=_("Nom du défunt"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Les accents et les majuscules ne comptent pas."),
    )


class _Grouped:
    """Fields shown in fieldsets: ``fieldsets = [(legend, [names…]), …]``; fields left out of
    every group come last without a legend."""

    fieldsets: list[tuple[Any, list[str]]] = []

    def grouped(self) -> list[tuple[Any, list[Any]]]:
        form: Any = self
        named = {name for _legend, names in self.fieldsets for name in names}
        groups = [
            (legend, [form[name] for name in names if name in form.fields])
            for legend, names in self.fieldsets
        ]
        rest = [
            form[name] for name in form.fields if name not in named and name != "confirm_warnings"
        ]
        if rest:
            groups.append(("", rest))
        return groups


class _RequestFields(_Grouped, Form):
    requested_by = forms.CharField(
        label=_("Demandé par"), max_length=300, required=False, help_text=_("Nom et prénom.")
    )
    requester_relationship = forms.CharField(
        label=_("Lien avec le défunt"), max_length=100, required=False
    )
    attended_by = forms.CharField(
        label=_("Présent(s) lors de l'opération"), max_length=300, required=False
    )
    notes = forms.CharField(
        label=_("Remarques"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm_warnings = forms.BooleanField(
        label=_("J'ai lu les avertissements et je confirme"), required=False
    )


class BurialForm(_RequestFields):
    last_name = forms.CharField(label=_("Nom du défunt"), max_length=150)
    first_names = forms.CharField(label=_("Prénoms"), max_length=200, required=False)
    birth_name = forms.CharField(label=_("Nom de naissance"), max_length=150, required=False)
    birth_date = _date(_("Date de naissance"), required=False)
    death_date = _date(_("Date de décès"))
    objected_to_cremation = forms.BooleanField(
        label=_("S'est opposé(e) à la crémation"), required=False
    )
    buried_on = _date(_("Date de l'inhumation"))
    container = forms.ChoiceField(label=_("Contenant"), choices=Container.choices)
    place_in_plot = forms.CharField(
        label=_("Place dans l'emplacement"), max_length=50, required=False
    )
    authorised_by = forms.ModelChoiceField(
        label=_("Inhumation autorisée par"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Le maire ou un adjoint ayant délégation (R2213-31)."),
    )
    authorised_on = _date(_("Autorisée le"), required=False)

    def __init__(self, *args: Any, authorisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authorised_by"].queryset = authorisers  # type: ignore[attr-defined]

    fieldsets = [
        (
            _("Défunt"),
            [
                "last_name",
                "first_names",
                "birth_name",
                "birth_date",
                "death_date",
                "objected_to_cremation",
            ],
        ),
        (_("Inhumation"), ["buried_on", "container", "place_in_plot"]),
        (
            _("Demande et autorisation"),
            [
                "authorised_by",
                "authorised_on",
                "requested_by",
                "requester_relationship",
                "attended_by",
            ],
        ),
    ]
    field_order = [
        "last_name",
        "first_names",
        "birth_name",
        "birth_date",
        "death_date",
        "objected_to_cremation",
        "buried_on",
        "container",
        "place_in_plot",
        "authorised_by",
        "authorised_on",
        "requested_by",
        "requester_relationship",
        "attended_by",
        "notes",
        "confirm_warnings",
    ]


class _RemovalForm(_RequestFields):
    """Fields of an exhumation, urn removal, reduction or transfer (R2213-40)."""

    burial = forms.ModelChoiceField(
        label=_("Défunt"), queryset=Burial.objects.none(), empty_label=None
    )
    sworn_statement_received = forms.BooleanField(
        label=_("Attestation sur l'honneur du plus proche parent reçue"), required=False
    )
    authorised_by = forms.ModelChoiceField(
        label=_("Autorisée par"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Le maire ou un adjoint ayant délégation."),
    )
    authorised_on = _date(_("Autorisée le"), required=False)
    performed_on = _date(_("Réalisée le"))

    def __init__(self, *args: Any, burials: Any, authorisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["burial"].queryset = burials  # type: ignore[attr-defined]
        self.fields["burial"].label_from_instance = lambda burial: str(burial.deceased)  # type: ignore[attr-defined]
        self.fields["authorised_by"].queryset = authorisers  # type: ignore[attr-defined]
        self.fields["requested_by"].help_text = _("Le plus proche parent : nom et prénom.")


class ExhumationForm(_RemovalForm):
    fieldsets = [
        (
            _("Demande du plus proche parent (R2213-40)"),
            ["burial", "requested_by", "requester_relationship", "sworn_statement_received"],
        ),
        (_("Autorisation du maire"), ["authorised_by", "authorised_on"]),
        (_("Opération"), ["performed_on", "attended_by", "destination"]),
    ]

    destination = forms.CharField(
        label=_("Destination des restes"),
        max_length=200,
        required=False,
        help_text=_("Autre sépulture, crémation, ossuaire…"),
    )
    field_order = [
        "burial",
        "requested_by",
        "requester_relationship",
        "sworn_statement_received",
        "authorised_by",
        "authorised_on",
        "performed_on",
        "attended_by",
        "destination",
        "notes",
        "confirm_warnings",
    ]


class TransferForm(_RemovalForm):
    target_plot = forms.ModelChoiceField(
        label=_("Emplacement d'arrivée"), queryset=Plot.objects.none()
    )

    def __init__(self, *args: Any, target_plots: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_plot"].queryset = target_plots  # type: ignore[attr-defined]
        self.fields["target_plot"].label_from_instance = (  # type: ignore[attr-defined]
            lambda plot: f"{plot.cemetery} — {plot}"
        )


class ReductionForm(_RemovalForm):
    field_order = [
        "burial",
        "requested_by",
        "requester_relationship",
        "sworn_statement_received",
        "authorised_by",
        "authorised_on",
        "performed_on",
        "attended_by",
        "notes",
        "confirm_warnings",
    ]


class UrnRemovalForm(ExhumationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["burial"].label = _("Urne de")
        self.fields["destination"].label = _("Destination de l'urne")
        self.fields["destination"].help_text = _(
            "Autre sépulture, dispersion, remise à la famille… (R2213-39)"
        )


class AshScatteringForm(Form):
    """Ashes of an urn resting in this plot scattered in the garden or in nature (L2223-18-3)."""

    burial = forms.ModelChoiceField(
        label=_("Urne de"), queryset=Burial.objects.none(), empty_label=None
    )
    scattered_on = _date(_("Date de la dispersion"))
    in_nature = forms.BooleanField(label=_("En pleine nature"), required=False)
    garden = forms.ModelChoiceField(
        label=_("Jardin du souvenir"), queryset=Plot.objects.none(), required=False
    )
    place = forms.CharField(
        label=_("Lieu de la dispersion en pleine nature"), max_length=300, required=False
    )
    birth_place = forms.CharField(
        label=_("Commune de naissance du défunt"),
        max_length=200,
        required=False,
        help_text=_("La dispersion en pleine nature y est déclarée (L2223-18-3)."),
    )
    requested_by = forms.CharField(
        label=_("Déclarée par"),
        max_length=300,
        required=False,
        help_text=_("La personne qui a qualité pour pourvoir aux funérailles (R2213-39)."),
    )
    requester_relationship = forms.CharField(
        label=_("Lien avec le défunt"), max_length=100, required=False
    )
    attended_by = forms.CharField(label=_("Présent(s)"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Remarques"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm_warnings = forms.BooleanField(
        label=_("J'ai lu les avertissements et je confirme"), required=False
    )

    def __init__(self, *args: Any, burials: Any, gardens: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["burial"].queryset = burials  # type: ignore[attr-defined]
        self.fields["burial"].label_from_instance = lambda burial: str(burial.deceased)  # type: ignore[attr-defined]
        self.fields["garden"].queryset = gardens  # type: ignore[attr-defined]
        self.fields["garden"].label_from_instance = lambda plot: f"{plot.cemetery} — {plot}"  # type: ignore[attr-defined]


class OssuaryMoveForm(Form):
    """Remains moved to the ossuary on the mayor's order (L2223-4)."""

    burial = forms.ModelChoiceField(
        label=_("Défunt"), queryset=Burial.objects.none(), empty_label=None
    )
    moved_on = _date(_("Date du transfert"))
    remains_found = forms.BooleanField(
        label=_("Des restes ont été trouvés"),
        required=False,
        initial=True,
        help_text=_("Le nom est inscrit au registre de l'ossuaire même sans restes (L2223-4)."),
    )
    ossuary = forms.ModelChoiceField(
        label=_("Ossuaire"), queryset=Plot.objects.none(), required=False
    )
    authorised_by = forms.ModelChoiceField(
        label=_("Arrêté du maire signé par"), queryset=User.objects.none(), required=False
    )
    notes = forms.CharField(
        label=_("Remarques"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm_warnings = forms.BooleanField(
        label=_("J'ai lu les avertissements et je confirme"), required=False
    )

    def __init__(
        self, *args: Any, burials: Any, ossuaries: Any, authorisers: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["burial"].queryset = burials  # type: ignore[attr-defined]
        self.fields["burial"].label_from_instance = lambda burial: str(burial.deceased)  # type: ignore[attr-defined]
        self.fields["ossuary"].queryset = ossuaries  # type: ignore[attr-defined]
        self.fields["ossuary"].label_from_instance = lambda plot: f"{plot.cemetery} — {plot}"  # type: ignore[attr-defined]
        self.fields["authorised_by"].queryset = authorisers  # type: ignore[attr-defined]


class GraveSearchForm(Form):
    nom = forms.CharField(
        label=_("Nom de la personne défunte"),
        min_length=2,
        max_length=100,
        help_text=_("Le nom, ou le nom et le prénom. Les accents et les majuscules sont ignorés."),
    )
