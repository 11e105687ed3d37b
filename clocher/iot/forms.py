"""Forms of the staff dashboards: overview filters, claiming a pending device, CSV import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clocher.iot.models import DeviceProfile
from clocher.iot.selectors_catalog import adopted_profiles
from clocher.tenancy.models import Commune

CSV_MAX_BYTES = 2 * 1024 * 1024


def _profiles(commune: Commune) -> Any:
    return DeviceProfile.objects.filter(operator_id=commune.operator_id).order_by("model", "slug")


class OverviewFilterForm(forms.Form):
    site = forms.ChoiceField(label=_("Site"), required=False)
    profile = forms.ModelChoiceField(
        label=_("Profil d'objet"), queryset=DeviceProfile.objects.none(), required=False
    )

    def __init__(self, *args: Any, commune: Commune, sites: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ChoiceField)
        site_field.choices = [("", _("Tous les sites")), *((s, s) for s in sites)]
        profile_field = self.fields["profile"]
        assert isinstance(profile_field, forms.ModelChoiceField)
        profile_field.queryset = _profiles(commune)
        profile_field.empty_label = _("Tous les profils")


class ClaimForm(forms.Form):
    """Register a pending device: its profile and a name (site and building optional)."""

    profile = forms.ModelChoiceField(
        label=_("Profil d'objet"), queryset=DeviceProfile.objects.none()
    )
    name = forms.CharField(
        label=_("Nom"),
        max_length=200,
        required=False,
        help_text=_("Par exemple « CO2 salle 3, école Jules-Ferry ». Vide : le DevEUI."),
    )
    site = forms.CharField(label=_("Site"), max_length=200, required=False)
    building = forms.CharField(label=_("Bâtiment"), max_length=200, required=False)
    expected_interval_minutes = forms.IntegerField(
        label=_("Intervalle d'émission attendu (minutes)"), min_value=1, max_value=10080, initial=60
    )

    def __init__(self, *args: Any, commune: Commune, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile_field = self.fields["profile"]
        assert isinstance(profile_field, forms.ModelChoiceField)
        # The profiles the commune adopted (page « Profils d'objets »).
        profile_field.queryset = adopted_profiles(commune)


class DevicesImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_(
            "UTF-8, séparateur virgule ou point-virgule, une ligne d'en-tête : dev_eui, name, "
            "profile, site, building, latitude, longitude, expected_interval_minutes, personal. "
            "Rien n'est enregistré tant qu'une ligne est en erreur."
        ),
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > CSV_MAX_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 2 Mo."))
        return file
