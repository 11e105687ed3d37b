"""Pages of the device-profile catalogue, open-data publishing and a device's registry entry.

- Operator console (``console:iot-profile…``, mounted in ``clocher.console.urls``): operator
  staff read the operator's profiles; operator admins create, edit, test a codec, publish,
  withdraw and delete them.
- Commune back office (``staff:iot:…``): the profiles a commune adopts (VIEW_DEVICES to read,
  MANAGE_DEVICES to adopt or stop), the open-data publishing page (VIEW_DEVICES to read,
  MANAGE_DEVICES to publish or withdraw), and editing a device (MANAGE_DEVICES).

Views parse the input and call ``services.profiles``, ``services.opendata`` or
``services.devices``; reads come from ``selectors_catalog``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clocher.console.access import operator_staff_required
from clocher.console.selectors import operators_administered_by, operators_of
from clocher.iot import selectors_catalog
from clocher.iot.forms_catalog import (
    ACTION_TEST,
    DatastreamPublishForm,
    DeviceEditForm,
    ProfileForm,
    device_initial,
    profile_initial,
)
from clocher.iot.models import Device, DeviceProfile, ProfileAdoption
from clocher.iot.models.devices import CodecKind
from clocher.iot.quantities import quantity_label
from clocher.iot.services import opendata, profiles
from clocher.iot.services.devices import device_update
from clocher.tenancy.decorators import require_capability
from clocher.tenancy.models import Commune, Operator
from clocher.tenancy.permissions import Capability

DEVICES_PER_PAGE = 50


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """The service's errors on their fields (on the form when the field is not shown)."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


# --- Operator console --------------------------------------------------------------------------


def _operator(request: HttpRequest) -> Operator:
    operator = operators_of(request.user).first()
    if operator is None:
        raise PermissionDenied
    return operator


def _can_edit(request: HttpRequest, operator: Operator) -> bool:
    return operators_administered_by(request.user).filter(pk=operator.pk).exists()


def _console_profile(operator: Operator, slug: str) -> DeviceProfile:
    profile = selectors_catalog.operator_profile(operator, slug)
    if profile is None:
        raise Http404
    return profile


@operator_staff_required
@require_GET
def console_profiles(request: HttpRequest) -> HttpResponse:
    """The operator's device profiles, published or not, with their use by the communes."""
    operator = _operator(request)
    return render(
        request,
        "iot/profiles/console_list.html",
        {
            "nav": "iot-profiles",
            "operator": operator,
            "profiles": list(selectors_catalog.operator_profiles(operator)),
            "can_edit": _can_edit(request, operator),
        },
    )


@operator_staff_required
@require_POST
def console_profiles_load(request: HttpRequest) -> HttpResponse:
    """Load the profiles of the built-in decoders (or bring them up to date after an upgrade);
    a new one is published, an existing one keeps its publication and commands."""
    operator = _operator(request)
    if not _can_edit(request, operator):
        raise PermissionDenied
    loaded = profiles.profiles_load(operator=operator)
    messages.success(
        request,
        ngettext(
            "%(count)d profil de décodeur intégré chargé ou mis à jour.",
            "%(count)d profils de décodeurs intégrés chargés ou mis à jour.",
            len(loaded),
        )
        % {"count": len(loaded)},
    )
    return redirect("console:iot-profiles")


def _profile_form_page(
    request: HttpRequest, operator: Operator, profile: DeviceProfile | None
) -> HttpResponse:
    can_edit = _can_edit(request, operator)
    creating = profile is None
    trial: profiles.CodecTrial | None = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = ProfileForm(request.POST, request.FILES, creating=creating)
        if form.is_valid():
            content = form.content()
            if request.POST.get("action") == ACTION_TEST:
                try:
                    frame, f_port = profiles.check_test_frame(
                        content.test_payload_hex, content.test_f_port
                    )
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    trial = profiles.codec_try(
                        codec_kind=content.codec_kind,
                        payload=frame,
                        f_port=f_port,
                        builtin_codec=content.builtin_codec,
                        javascript_codec=content.javascript_codec,
                        quantities=content.quantities,
                    )
            else:
                try:
                    if profile is None:
                        saved = profiles.profile_create(
                            operator=operator, slug=form.cleaned_data["slug"], content=content
                        )
                    else:
                        saved = profiles.profile_update(profile=profile, content=content)
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    messages.success(
                        request,
                        _(
                            "Le profil « %(model)s » est créé : publiez-le pour le proposer "
                            "aux communes."
                        )
                        % {"model": saved.model}
                        if creating
                        else _("Le profil « %(model)s » est enregistré.") % {"model": saved.model},
                    )
                    return redirect("console:iot-profile", saved.slug)
    elif profile is None:
        form = ProfileForm(
            creating=True, initial={"codec_kind": CodecKind.BUILTIN, "commands": "[]"}
        )
    else:
        form = ProfileForm(creating=False, initial=profile_initial(profile))
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "iot/profiles/console_edit.html",
        {
            "nav": "iot-profiles",
            "operator": operator,
            "profile": profile,
            "form": form,
            "trial": trial,
            "can_edit": can_edit,
        },
    )


@operator_staff_required
@require_http_methods(["GET", "POST"])
def console_profile_create(request: HttpRequest) -> HttpResponse:
    operator = _operator(request)
    if not _can_edit(request, operator):
        raise PermissionDenied
    return _profile_form_page(request, operator, None)


@operator_staff_required
@require_http_methods(["GET", "POST"])
def console_profile_edit(request: HttpRequest, profile_slug: str) -> HttpResponse:
    """A profile (read-only for operator support); operator admins edit and test its codec."""
    operator = _operator(request)
    return _profile_form_page(request, operator, _console_profile(operator, profile_slug))


@operator_staff_required
@require_POST
def console_profile_publish(request: HttpRequest, profile_slug: str) -> HttpResponse:
    """Offer a profile to the communes (``publier=1``) or withdraw it (``publier=0``)."""
    operator = _operator(request)
    if not _can_edit(request, operator):
        raise PermissionDenied
    profile = _console_profile(operator, profile_slug)
    publish = request.POST.get("publier") == "1"
    profiles.profile_set_published(profile=profile, is_published=publish)
    messages.success(
        request,
        (
            _("Le profil « %(model)s » est proposé aux communes.")
            if publish
            else _(
                "Le profil « %(model)s » n'est plus proposé aux communes ; celles qui l'ont "
                "adopté le gardent."
            )
        )
        % {"model": profile.model},
    )
    return redirect("console:iot-profiles")


@operator_staff_required
@require_http_methods(["GET", "POST"])
def console_profile_delete(request: HttpRequest, profile_slug: str) -> HttpResponse:
    """Delete a profile that no device uses, after confirmation."""
    operator = _operator(request)
    if not _can_edit(request, operator):
        raise PermissionDenied
    profile = _console_profile(operator, profile_slug)
    refusal: list[str] = []
    if request.method == "POST":
        try:
            profiles.profile_delete(profile=profile)
        except ValidationError as error:
            refusal = error.messages
        else:
            messages.success(
                request, _("Le profil « %(model)s » est supprimé.") % {"model": profile.model}
            )
            return redirect("console:iot-profiles")
    return render(
        request,
        "iot/profiles/console_delete.html",
        {"nav": "iot-profiles", "profile": profile, "refusal": refusal},
    )


# --- A commune's profiles ----------------------------------------------------------------------


def _commune(request: HttpRequest) -> Commune:
    return request.commune  # type: ignore[attr-defined,no-any-return]


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def profiles_page(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """The profiles the operator publishes, which ones the commune adopted, and their use."""
    commune = _commune(request)
    return render(
        request,
        "iot/profiles/commune_list.html",
        {"rows": selectors_catalog.commune_profile_rows(commune)},
    )


@require_capability(Capability.MANAGE_DEVICES)
@require_POST
def profile_adopt(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Adopt a profile the operator publishes (its id in ``profile``)."""
    commune = _commune(request)
    profile = selectors_catalog.published_profile_of_commune(commune, request.POST.get("profile"))
    if profile is None:
        messages.error(request, _("Ce profil n'est pas proposé par l'opérateur de la commune."))
    else:
        try:
            profiles.profile_adopt(commune=commune, profile=profile, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("La commune utilise désormais le profil « %(model)s ».")
                % {"model": profile.model},
            )
    return redirect("staff:iot:profiles", commune.slug)


@require_capability(Capability.MANAGE_DEVICES)
@require_POST
def profile_stop(
    request: HttpRequest, commune_slug: str, profile_adoption: ProfileAdoption
) -> HttpResponse:
    """Stop using a profile: refused, with the reason, while a device of the commune uses it."""
    commune = _commune(request)
    try:
        profiles.profile_adoption_stop(adoption=profile_adoption)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("La commune n'utilise plus le profil « %(model)s ».")
            % {"model": profile_adoption.profile.model},
        )
    return redirect("staff:iot:profiles", commune.slug)


# --- Open data ---------------------------------------------------------------------------------


def _public_links(commune: Commune, stream: Any) -> dict[str, str]:
    kwargs = {"commune_slug": commune.slug, "datastream_id": stream.pk}
    return {
        "sensorthings": reverse("api-v1:datastream_detail", kwargs=kwargs),
        "observations": reverse("api-v1:datastream_observations", kwargs=kwargs),
        "csv": reverse("api-v1:datastream_observations_csv", kwargs=kwargs),
    }


@require_capability(Capability.VIEW_DEVICES)
@require_http_methods(["GET", "HEAD"])
def opendata_page(request: HttpRequest, commune_slug: str) -> HttpResponse:
    """Each quantity of each device, published or not, with its public addresses; personal
    devices shown as never publishable."""
    commune = _commune(request)
    page = Paginator(selectors_catalog.devices_for_opendata(commune), DEVICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    groups = selectors_catalog.datastream_rows(commune, list(page.object_list))
    for group in groups:
        for row in group.rows:
            if row.published is not None:
                row.links = _public_links(commune, row.published)
    return render(
        request,
        "iot/opendata/list.html",
        {
            "page": page,
            "groups": groups,
            "root": reverse("api-v1:sensorthings_root", kwargs={"commune_slug": commune.slug}),
        },
    )


def _quantity_of(device: Device, quantity: str) -> str:
    """The unit of a quantity the device's profile measures, or 404."""
    units = device.profile.quantities or {}
    if quantity not in units:
        raise Http404
    return str(units[quantity])


@require_capability(Capability.MANAGE_DEVICES)
@require_http_methods(["GET", "HEAD", "POST"])
def opendata_publish(
    request: HttpRequest, commune_slug: str, device: Device, quantity: str
) -> HttpResponse:
    """Publish one quantity of a device (or change what is published about it)."""
    commune = _commune(request)
    unit = _quantity_of(device, quantity)
    current = selectors_catalog.published_datastream_of(commune, device, quantity)
    if request.method == "POST":
        form = DatastreamPublishForm(request.POST)
        if form.is_valid():
            try:
                opendata.datastream_publish(device=device, quantity=quantity, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("« %(quantity)s » de %(device)s est publié en données ouvertes.")
                    % {"quantity": quantity_label(quantity), "device": device.name},
                )
                return redirect("staff:iot:opendata", commune.slug)
    elif current is not None:
        form = DatastreamPublishForm(
            initial={
                "name": current.name,
                "description": current.description,
                "licence": current.licence,
                "licence_url": current.licence_url,
            }
        )
    else:
        form = DatastreamPublishForm(
            initial={"name": f"{device.name} — {quantity_label(quantity)}"}
        )
    return render(
        request,
        "iot/opendata/publish.html",
        {
            "device": device,
            "quantity": quantity,
            "unit": unit,
            "current": current,
            "form": form,
            "links": _public_links(commune, current) if current is not None else None,
        },
    )


@require_capability(Capability.MANAGE_DEVICES)
@require_POST
def opendata_unpublish(
    request: HttpRequest, commune_slug: str, device: Device, quantity: str
) -> HttpResponse:
    """Withdraw a published quantity (its measurements are kept)."""
    commune = _commune(request)
    current = selectors_catalog.published_datastream_of(commune, device, quantity)
    if current is None:
        raise Http404
    opendata.datastream_unpublish(datastream=current)
    messages.success(
        request,
        _("« %(quantity)s » de %(device)s n'est plus publié.")
        % {"quantity": quantity_label(quantity), "device": device.name},
    )
    return redirect("staff:iot:opendata", commune.slug)


# --- A device's registry entry -----------------------------------------------------------------


@require_capability(Capability.MANAGE_DEVICES)
@require_http_methods(["GET", "HEAD", "POST"])
def device_edit(request: HttpRequest, commune_slug: str, device: Device) -> HttpResponse:
    """Change a device's name, profile, site, building, coordinates, expected interval and
    personal flag."""
    commune = _commune(request)
    adopted = selectors_catalog.adopted_profiles(commune)
    if request.method == "POST":
        form = DeviceEditForm(request.POST, device=device, profiles=adopted)
        if form.is_valid():
            data = form.cleaned_data
            try:
                withdrawn = device_update(
                    device=device,
                    name=data["name"],
                    profile=data["profile"],
                    site=data["site"],
                    building=data["building"],
                    asset=data["asset"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    expected_interval_minutes=data["expected_interval_minutes"],
                    is_personal=data["is_personal"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, _("L'objet %(name)s est enregistré.") % {"name": device.name}
                )
                if withdrawn:
                    messages.info(
                        request,
                        _(
                            "Objet marqué « données personnelles » : %(count)d flux publié(s) "
                            "retiré(s) des données ouvertes."
                        )
                        % {"count": withdrawn},
                    )
                return redirect("staff:iot:device", commune.slug, device.pk)
    else:
        form = DeviceEditForm(initial=device_initial(device), device=device, profiles=adopted)
    return render(request, "iot/device_edit.html", {"device": device, "form": form})
