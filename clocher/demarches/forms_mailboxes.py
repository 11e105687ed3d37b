"""Forms of the e-mail intake pages: a mailbox's settings, and the triage of a received e-mail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clocher.core.forms import Form
from clocher.demarches import selectors
from clocher.demarches.models import Family, Mailbox, MailItemStatus, Procedure
from clocher.demarches.services.mailboxes import MailboxInput
from clocher.tenancy.models import Commune


class MailboxForm(Form):
    label = forms.CharField(
        label=_("Nom de la boîte"),
        max_length=100,
        help_text=_("Pour la reconnaître, par exemple « Accueil de la mairie »."),
    )
    host = forms.CharField(
        label=_("Serveur IMAP"),
        max_length=200,
        help_text=_("Donné par votre hébergeur de messagerie, par exemple imap.exemple.fr."),
    )
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    use_ssl = forms.BooleanField(
        label=_("Connexion chiffrée SSL/TLS (port 993, recommandé)"),
        required=False,
        initial=True,
        help_text=_(
            "Sans cette case, la connexion est chiffrée par STARTTLS (port 143) ; elle n'est "
            "jamais faite en clair vers un serveur distant."
        ),
    )
    username = forms.CharField(label=_("Identifiant"), max_length=200)
    password = forms.CharField(
        label=_("Mot de passe"),
        max_length=500,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    folder = forms.CharField(
        label=_("Dossier à relever"),
        max_length=200,
        initial="INBOX",
        help_text=_("INBOX pour la boîte de réception."),
    )
    default_procedure = forms.ModelChoiceField(
        label=_("Démarche proposée par défaut au tri"),
        queryset=Procedure.objects.none(),
        required=False,
        empty_label=_("Aucune"),
    )
    is_active = forms.BooleanField(
        label=_("Relever cette boîte automatiquement (toutes les 5 minutes)"),
        required=False,
        initial=True,
    )

    def __init__(
        self, *args: Any, commune: Commune, mailbox: Mailbox | None = None, **kwargs: Any
    ) -> None:
        if mailbox is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "label": mailbox.label,
                "host": mailbox.host,
                "port": mailbox.port,
                "use_ssl": mailbox.use_ssl,
                "username": mailbox.username,
                "folder": mailbox.folder,
                "default_procedure": mailbox.default_procedure_id,
                "is_active": mailbox.is_active,
            }
        super().__init__(*args, **kwargs)
        field = self.fields["default_procedure"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.procedures_for_commune(commune).order_by("title")
        if mailbox is None:
            self.fields["password"].required = True
            self.fields["password"].help_text = _("Conservé chiffré ; il n'est jamais réaffiché.")
        else:
            self.fields["password"].help_text = _(
                "Conservé chiffré et jamais réaffiché : laissez vide pour garder le mot de passe "
                "actuel."
            )

    def to_input(self) -> MailboxInput:
        data = self.cleaned_data
        return MailboxInput(
            label=data["label"],
            host=data["host"],
            port=data["port"],
            use_ssl=data["use_ssl"],
            username=data["username"],
            password=data.get("password") or "",
            folder=data["folder"],
            is_active=data["is_active"],
            default_procedure=data.get("default_procedure"),
        )


class TriageFilterForm(Form):
    statut = forms.ChoiceField(
        label=_("Courriels"),
        choices=MailItemStatus.choices,
        required=False,
    )

    def status(self) -> str:
        if self.is_valid() and self.cleaned_data.get("statut"):
            return str(self.cleaned_data["statut"])
        return MailItemStatus.TO_TRIAGE


class ProcedureChoiceForm(Form):
    """Which procedure a received e-mail becomes a request of (among the agent's families)."""

    procedure = forms.ChoiceField(label=_("Démarche"))

    def __init__(self, *args: Any, procedures: list[Procedure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.procedures = {str(procedure.pk): procedure for procedure in procedures}
        field = self.fields["procedure"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (str(procedure.pk), f"{procedure.title} ({Family(procedure.family).label})")
            for procedure in procedures
        ]

    def chosen(self) -> Procedure:
        return self.procedures[self.cleaned_data["procedure"]]


class ConvertForm(Form):
    email = forms.EmailField(
        label=_("Adresse e-mail de l'usager"),
        max_length=254,
        required=False,
        help_text=_(
            "Préremplie avec l'expéditeur du courriel : l'accusé de réception et le lien de suivi "
            "y seront envoyés. Videz-la si l'usager ne souhaite pas de réponse par e-mail."
        ),
    )
