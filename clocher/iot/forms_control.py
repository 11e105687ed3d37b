"""Forms of remote control: a command's parameters and confirmation, a device's network address,
schedules, the commune's quiet hours and school zone."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clocher.iot.command_profiles import (
    CommandDefinition,
    check_parameters,
    parameters_as_json,
    profile_commands,
)
from clocher.iot.models import Device, DeviceProfile, Schedule
from clocher.iot.models.control import (
    CalendarCondition,
    NetworkServer,
    ScheduleTarget,
    ScheduleTrigger,
    SchoolZone,
)
from clocher.tenancy.models import Commune

WEEKDAYS = [
    (1, _("lundi")),
    (2, _("mardi")),
    (3, _("mercredi")),
    (4, _("jeudi")),
    (5, _("vendredi")),
    (6, _("samedi")),
    (7, _("dimanche")),
]
PARAMETER_PREFIX = "parametre_"


def _number_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def parameter_field(parameter: Any, *, required: bool = True) -> forms.DecimalField:
    unit = f" ({parameter.unit})" if parameter.unit else ""
    return forms.DecimalField(
        label=f"{parameter.label}{unit}",
        required=required,
        min_value=parameter.minimum,
        max_value=parameter.maximum,
        step_size=parameter.step,
        help_text=_("De %(min)s à %(max)s, par pas de %(step)s.")
        % {
            "min": _number_text(parameter.minimum),
            "max": _number_text(parameter.maximum),
            "step": _number_text(parameter.step),
        },
    )


class CommandParametersForm(forms.Form):
    """The parameters of one command (none for on/off)."""

    def __init__(self, *args: Any, definition: CommandDefinition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        for parameter in definition.parameters:
            self.fields[parameter.name] = parameter_field(parameter)

    def parameter_values(self) -> dict[str, Decimal]:
        return {p.name: self.cleaned_data[p.name] for p in self.definition.parameters}


class CommandConfirmForm(CommandParametersForm):
    """The confirmation step of a manual command."""

    confirmation = forms.BooleanField(
        label=_("Je confirme l'envoi de cette commande à cet objet."),
        required=True,
        error_messages={"required": _("Cochez la case pour confirmer l'envoi de la commande.")},
    )
    override_quiet_hours = forms.BooleanField(
        label=_("Passer outre les heures de silence"), required=False
    )
    override_reason = forms.CharField(
        label=_("Motif (obligatoire pour passer outre)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Par exemple : tocsin, alerte de la préfecture. Il est inscrit au journal."),
    )

    def __init__(self, *args: Any, definition: CommandDefinition, **kwargs: Any) -> None:
        super().__init__(*args, definition=definition, **kwargs)
        if not definition.is_bell:
            del self.fields["override_quiet_hours"]
            del self.fields["override_reason"]
        # The parameters first, the confirmation last, just above the button.
        self.order_fields(
            [
                *(parameter.name for parameter in definition.parameters),
                "override_quiet_hours",
                "override_reason",
                "confirmation",
            ]
        )


class NetworkAddressForm(forms.Form):
    network_server = forms.ChoiceField(
        label=_("Serveur de réseau"), choices=NetworkServer.choices, widget=forms.RadioSelect
    )
    network_application_id = forms.CharField(
        label=_("Application"),
        max_length=100,
        help_text=_(
            "ChirpStack : l'identifiant (UUID) de l'application. The Things Stack : "
            "l'identifiant de l'application, suivi de @locataire sur The Things Stack Cloud."
        ),
    )
    network_device_id = forms.CharField(
        label=_("Identifiant de l'objet (The Things Stack)"), max_length=100, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field in ("network_application_id", "network_device_id"):
            value = data.get(field) or ""
            if any(char in value for char in "/+#\x00") or value.startswith("$"):
                self.add_error(field, _("Les caractères / + # et $ initial ne sont pas permis."))
        if data.get("network_server") == NetworkServer.TTS and not data.get("network_device_id"):
            self.add_error(
                "network_device_id", _("The Things Stack a besoin de l'identifiant de l'objet.")
            )
        return data


class ControlSettingsForm(forms.Form):
    quiet_hours_start = forms.TimeField(
        label=_("Début des heures de silence"),
        help_text=_("Format HH:MM. Les cloches ne sonnent pas de cette heure…"),
    )
    quiet_hours_end = forms.TimeField(
        label=_("Fin des heures de silence"), help_text=_("… jusqu'à celle-ci (heure de Paris).")
    )
    school_zone = forms.ChoiceField(
        label=_("Zone de vacances scolaires"),
        choices=[("", _("Non renseignée")), *SchoolZone.choices],
        required=False,
    )


def _commune_commands(commune: Commune) -> list[tuple[DeviceProfile, CommandDefinition]]:
    profiles = DeviceProfile.objects.filter(
        pk__in=Device.objects.for_commune(commune).values("profile_id")
    ).order_by("model", "pk")
    found: list[tuple[DeviceProfile, CommandDefinition]] = []
    for profile in profiles:
        commands, _problems = profile_commands(profile)
        found.extend((profile, command) for command in commands)
    return found


class ScheduleForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=200)
    target = forms.ChoiceField(
        label=_("Cible"), choices=ScheduleTarget.choices, widget=forms.RadioSelect
    )
    device = forms.ModelChoiceField(
        label=_("Objet"), queryset=Device.objects.none(), required=False
    )
    site = forms.ChoiceField(label=_("Site"), required=False)
    building = forms.ChoiceField(label=_("Bâtiment"), required=False)
    profile = forms.ModelChoiceField(
        label=_("Profil d'objet"), queryset=DeviceProfile.objects.none(), required=False
    )
    command_name = forms.ChoiceField(label=_("Commande"))
    trigger = forms.ChoiceField(
        label=_("Déclenchement"), choices=ScheduleTrigger.choices, widget=forms.RadioSelect
    )
    time_of_day = forms.TimeField(
        label=_("Heure (à heure fixe)"),
        required=False,
        help_text=_("Format HH:MM, heure de Paris."),
    )
    offset_minutes = forms.IntegerField(
        label=_("Décalage par rapport au soleil (minutes)"),
        required=False,
        min_value=-240,
        max_value=240,
        initial=0,
        help_text=_("Négatif : avant le lever ou le coucher ; positif : après."),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Jours"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un jour.")},
    )
    public_holidays = forms.ChoiceField(
        label=_("Jours fériés"), choices=CalendarCondition.choices, initial=CalendarCondition.ANY
    )
    school_holidays = forms.ChoiceField(
        label=_("Vacances scolaires"),
        choices=CalendarCondition.choices,
        initial=CalendarCondition.ANY,
    )
    quiet_hours_override_reason = forms.CharField(
        label=_("Motif pour sonner pendant les heures de silence"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Seulement pour les cloches. Vide : une occurrence tombant pendant les heures de "
            "silence est refusée et inscrite au journal."
        ),
    )

    def __init__(
        self,
        *args: Any,
        commune: Commune,
        sites: Sequence[str],
        buildings: Sequence[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.commune = commune
        devices = Device.objects.for_commune(commune).select_related("profile").order_by("name")
        device_field = self.fields["device"]
        assert isinstance(device_field, forms.ModelChoiceField)
        device_field.queryset = devices
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ChoiceField)
        site_field.choices = [("", "—"), *((s, s) for s in sites)]
        building_field = self.fields["building"]
        assert isinstance(building_field, forms.ChoiceField)
        building_field.choices = [("", "—"), *((b, b) for b in buildings)]
        profile_field = self.fields["profile"]
        assert isinstance(profile_field, forms.ModelChoiceField)
        profile_field.queryset = DeviceProfile.objects.filter(
            pk__in=Device.objects.for_commune(commune).values("profile_id")
        ).order_by("model")
        self.commands = _commune_commands(commune)
        labels: dict[str, str] = {}
        self.parameters: dict[str, Any] = {}
        for _profile, command in self.commands:
            labels.setdefault(command.name, f"{command.label} ({command.name})")
            for parameter in command.parameters:
                self.parameters.setdefault(parameter.name, parameter)
        command_field = self.fields["command_name"]
        assert isinstance(command_field, forms.ChoiceField)
        command_field.choices = [("", "—"), *sorted(labels.items(), key=lambda item: item[1])]
        for name, parameter in self.parameters.items():
            field = parameter_field(parameter, required=False)
            field.help_text = _("Seulement pour les commandes qui ont ce paramètre.")
            field.min_value = None
            field.max_value = None
            field.validators = []
            self.fields[f"{PARAMETER_PREFIX}{name}"] = field

    @classmethod
    def initial_of(cls, schedule: Schedule) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": schedule.name,
            "target": schedule.target,
            "device": schedule.device_id,
            "site": schedule.site,
            "building": schedule.building,
            "profile": schedule.profile_id,
            "command_name": schedule.command_name,
            "trigger": schedule.trigger,
            "time_of_day": schedule.time_of_day,
            "offset_minutes": schedule.offset_minutes,
            "weekdays": list(schedule.weekdays or []),
            "public_holidays": schedule.public_holidays,
            "school_holidays": schedule.school_holidays,
            "quiet_hours_override_reason": schedule.quiet_hours_override_reason,
        }
        for name, value in (schedule.parameters or {}).items():
            initial[f"{PARAMETER_PREFIX}{name}"] = value
        return initial

    def targeted_devices(self, data: dict[str, Any]) -> list[Device]:
        devices = Device.objects.for_commune(self.commune).select_related("profile")
        target = data.get("target")
        if target == ScheduleTarget.DEVICE:
            device = data.get("device")
            return [device] if device is not None else []
        if target == ScheduleTarget.SITE:
            return list(devices.filter(site=data.get("site") or ""))
        if target == ScheduleTarget.BUILDING:
            return list(devices.filter(building=data.get("building") or ""))
        profile = data.get("profile")
        return list(devices.filter(profile=profile)) if profile is not None else []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        target = data.get("target")
        required_by_target = {
            ScheduleTarget.DEVICE: ("device", _("Choisissez l'objet.")),
            ScheduleTarget.SITE: ("site", _("Choisissez le site.")),
            ScheduleTarget.BUILDING: ("building", _("Choisissez le bâtiment.")),
            ScheduleTarget.PROFILE: ("profile", _("Choisissez le profil d'objet.")),
        }
        if target in required_by_target:
            field, missing_message = required_by_target[target]
            if not data.get(field):
                self.add_error(field, missing_message)
        trigger = data.get("trigger")
        if trigger == ScheduleTrigger.FIXED and data.get("time_of_day") is None:
            self.add_error("time_of_day", _("Donnez l'heure, au format HH:MM."))
        if data.get("offset_minutes") is None:
            data["offset_minutes"] = 0
        if self.errors:
            return data
        devices = self.targeted_devices(data)
        if not devices:
            self.add_error("target", _("Aucun objet ne correspond à cette cible."))
            return data
        if trigger in (ScheduleTrigger.SUNRISE, ScheduleTrigger.SUNSET):
            has_position = (
                self.commune.latitude is not None and self.commune.longitude is not None
            ) or any(d.latitude is not None and d.longitude is not None for d in devices)
            if not has_position:
                self.add_error(
                    "trigger",
                    _(
                        "Ni la commune ni ces objets n'ont de coordonnées : l'heure du lever et "
                        "du coucher du soleil ne peut pas être calculée. Choisissez une heure fixe."
                    ),
                )
                return data
        name = data.get("command_name") or ""
        raw = {
            key[len(PARAMETER_PREFIX) :]: value
            for key, value in data.items()
            if key.startswith(PARAMETER_PREFIX) and value is not None
        }
        definitions = []
        for device in devices:
            commands, _problems = profile_commands(device.profile)
            definition = next((c for c in commands if c.name == name), None)
            if definition is not None:
                definitions.append(definition)
        if not definitions:
            self.add_error("command_name", _("Aucun des objets ciblés n'a cette commande."))
            return data
        parameters: dict[str, Any] = {}
        for definition in definitions:
            wanted = {p.name: raw.get(p.name) for p in definition.parameters}
            values, problems = check_parameters(definition, wanted)
            for parameter_name, problem in problems.items():
                parameter = definition.parameter(parameter_name)
                assert parameter is not None
                message: Any = (
                    _("Ce paramètre est obligatoire pour cette commande.")
                    if problem == "missing"
                    else _("Valeur attendue de %(min)s à %(max)s, par pas de %(step)s.")
                    % {
                        "min": _number_text(parameter.minimum),
                        "max": _number_text(parameter.maximum),
                        "step": _number_text(parameter.step),
                    }
                )
                field_name = f"{PARAMETER_PREFIX}{parameter_name}"
                if field_name in self.fields and not self.has_error(field_name):
                    self.add_error(field_name, message)
            parameters.update(values)
        if any(d.is_bell for d in definitions) is False:
            data["quiet_hours_override_reason"] = ""
        data["parameters"] = parameters_as_json(parameters)
        return data

    def schedule_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "target": data["target"],
            "device": data["device"] if data["target"] == ScheduleTarget.DEVICE else None,
            "site": data["site"] if data["target"] == ScheduleTarget.SITE else "",
            "building": data["building"] if data["target"] == ScheduleTarget.BUILDING else "",
            "profile": data["profile"] if data["target"] == ScheduleTarget.PROFILE else None,
            "command_name": data["command_name"],
            "parameters": data["parameters"],
            "trigger": data["trigger"],
            "time_of_day": data.get("time_of_day"),
            "offset_minutes": data.get("offset_minutes") or 0,
            "weekdays": sorted(set(data["weekdays"])),
            "public_holidays": data["public_holidays"],
            "school_holidays": data["school_holidays"],
            "quiet_hours_override_reason": (data.get("quiet_hours_override_reason") or "").strip(),
        }
