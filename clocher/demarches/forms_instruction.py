"""Forms of the instruction pages: inbox filters, bulk actions, and the actions on one request.

Forms only parse; ``services.instruction`` decides. Choices are built from the commune's own
objects (its procedures, the agents granted the family), never from ids taken on trust.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clocher.demarches.models import Channel, Family, FamilyGrant, Procedure, Request, StatusKind
from clocher.demarches.services import statuses
from clocher.demarches.services.instruction import MAX_TEXT_LENGTH, BulkAction
from clocher.tenancy.models import Commune

NUMBER_SEARCH = re.compile(r"^[0-9-]{1,40}$")


class ErrorsDescribedForm(forms.Form):
    """Points ``aria-describedby`` of a field in error at its message (core/field.html ids)."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                field = self.fields[name]
                ids = [f"{self[name].auto_id}_error"]
                if field.help_text:
                    ids.insert(0, f"{self[name].auto_id}_helptext")
                field.widget.attrs["aria-describedby"] = " ".join(ids)
                field.widget.attrs["aria-invalid"] = "true"


def agents_of_family(commune: Commune, family: str) -> QuerySet[Any]:
    """Users granted ``family`` in ``commune``, by name."""
    user_ids = FamilyGrant.objects.for_commune(commune).filter(family=family).values_list("user_id")
    return (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .order_by("last_name", "first_name", "pk")
    )


def agents_of_families(commune: Commune, families: set[str]) -> QuerySet[Any]:
    user_ids = (
        FamilyGrant.objects.for_commune(commune).filter(family__in=families).values_list("user_id")
    )
    return (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .order_by("last_name", "first_name", "pk")
    )


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.email


class InboxFilterForm(ErrorsDescribedForm):
    """The inbox filters (GET). Searching is by request number only, never on personal data."""

    ASSIGNED_CHOICES = (
        ("", _("Toutes")),
        ("me", _("Attribuées à moi")),
        ("none", _("Non attribuées")),
    )
    STATE_CHOICES = (
        ("", _("Tous")),
        ("open", _("Ouvertes (à traiter)")),
        ("closed", _("Closes")),
        *StatusKind.choices,
    )

    number = forms.CharField(
        label=_("Numéro"),
        required=False,
        max_length=40,
        help_text=_("Numéro de suivi, en entier ou son début (exemple : 2026-00042)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    procedure = forms.ModelChoiceField(
        label=_("Démarche"),
        required=False,
        queryset=Procedure.objects.none(),
        empty_label=_("Toutes"),
    )
    state = forms.ChoiceField(label=_("Statut"), required=False, choices=STATE_CHOICES)
    assigned = forms.ChoiceField(label=_("Attribution"), required=False, choices=ASSIGNED_CHOICES)
    channel = forms.ChoiceField(
        label=_("Canal"), required=False, choices=(("", _("Tous")), *Channel.choices)
    )
    overdue = forms.BooleanField(label=_("En retard seulement"), required=False)

    def __init__(self, *args: Any, procedures: QuerySet[Procedure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = procedures  # type: ignore[attr-defined]

    def clean_number(self) -> str:
        number = (self.cleaned_data.get("number") or "").strip()
        if number and not NUMBER_SEARCH.match(number):
            raise forms.ValidationError(
                _("Saisissez un numéro de suivi : des chiffres et des tirets seulement.")
            )
        return number


class BulkActionForm(ErrorsDescribedForm):
    """An action on the requests ticked in the inbox (or every request of the page)."""

    ACTION_CHOICES = (
        ("", _("Choisir…")),
        (BulkAction.ASSIGN, _("Attribuer à un agent")),
        (BulkAction.UNASSIGN, _("Retirer l'attribution")),
        (BulkAction.SET_STATUS, _("Changer le statut")),
    )

    requests = forms.ModelMultipleChoiceField(
        label=_("Demandes"), required=False, queryset=Request.objects.none()
    )
    page_requests = forms.ModelMultipleChoiceField(
        required=False, queryset=Request.objects.none(), widget=forms.MultipleHiddenInput
    )
    whole_page = forms.BooleanField(label=_("Toutes les demandes de cette page"), required=False)
    action = forms.ChoiceField(label=_("Action"), choices=ACTION_CHOICES)
    assignee = AgentChoiceField(
        label=_("Agent"),
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label=_("Choisir…"),
    )
    status = forms.ChoiceField(label=_("Nouveau statut"), required=False)

    def __init__(
        self,
        *args: Any,
        requests: QuerySet[Request],
        agents: QuerySet[Any],
        status_choices: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requests"].queryset = requests  # type: ignore[attr-defined]
        self.fields["page_requests"].queryset = requests  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = agents  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("Choisir…")), *status_choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = list(data.get("requests") or [])
        if data.get("whole_page"):
            chosen = list(data.get("page_requests") or [])
        if not chosen:
            self.add_error("requests", _("Cochez au moins une demande."))
        data["selected"] = chosen
        action = data.get("action")
        if action == BulkAction.ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Choisissez l'agent à qui attribuer les demandes."))
        if action == BulkAction.SET_STATUS and not data.get("status"):
            self.add_error("status", _("Choisissez le nouveau statut."))
        return data


def status_choices_for(procedures: list[Procedure]) -> list[tuple[str, str]]:
    """Every status code of these procedures once, with its first label."""
    seen: dict[str, str] = {}
    for procedure in procedures:
        for status in statuses.statuses_of(procedure):
            seen.setdefault(status.code, status.label)
    return list(seen.items())


class StatusForm(ErrorsDescribedForm):
    status = forms.ChoiceField(label=_("Nouveau statut"))
    message = forms.CharField(
        label=_("Message à l'usager (facultatif)"),
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Visible sur sa page de suivi ; il est prévenu par e-mail du changement."),
    )

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (status.code, status.label) for status in statuses.statuses_of(procedure)
        ]


class AssignForm(ErrorsDescribedForm):
    assignee = AgentChoiceField(
        label=_("Attribuer à"),
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label=_("Personne"),
    )

    def __init__(self, *args: Any, agents: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents  # type: ignore[attr-defined]


class NoteForm(ErrorsDescribedForm):
    body = forms.CharField(
        label=_("Note interne"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Visible des seuls agents de cette famille, jamais de l'usager."),
    )


class MessageForm(ErrorsDescribedForm):
    body = forms.CharField(
        label=_("Message à l'usager"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Il le lit sur sa page de suivi ; un e-mail le prévient, sans le contenu."),
    )


class CorrectionForm(ErrorsDescribedForm):
    body = forms.CharField(
        label=_("Pièces ou corrections demandées"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Dites précisément ce qui manque. Le délai de décision implicite est suspendu "
            "jusqu'à la réponse de l'usager."
        ),
    )


class DecisionForm(ErrorsDescribedForm):
    OUTCOME_CHOICES = (
        (StatusKind.ACCEPTED.value, StatusKind.ACCEPTED.label),
        (StatusKind.REFUSED.value, StatusKind.REFUSED.label),
        (StatusKind.CLOSED.value, StatusKind.CLOSED.label),
    )

    outcome = forms.ChoiceField(
        label=_("Décision"), choices=OUTCOME_CHOICES, widget=forms.RadioSelect
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Obligatoire pour un refus : les considérations de droit et de fait qui le fondent "
            "(CRPA L211-2 et L211-5)."
        ),
    )


class DeadlineForm(ErrorsDescribedForm):
    deadline_on = forms.DateField(
        label=_("Échéance interne"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Laissez vide pour retirer l'échéance. Un rappel part 3 jours avant."),
    )


class FamilyGrantsForm(forms.Form):
    """One member's families, as the grants matrix posts them (one row per member)."""

    families = forms.MultipleChoiceField(
        label=_("Familles"),
        required=False,
        choices=Family.choices,
        widget=forms.CheckboxSelectMultiple,
    )
