"""The shared catalogue and each commune's procedures.

- :class:`ProcedureTemplate` and its :class:`TemplateVersion` rows belong to the operator: written
  once, published to every member commune.
- A commune *adopts* a template version into a :class:`Procedure` (its own contact details,
  service, options). When the operator publishes a newer version, the commune sees it as an
  update to review and accept; nothing changes in its procedure until it does.
- The form a citizen fills in is a :class:`FormVersion`: a request keeps the version it answered,
  so editing the form never rewrites what was asked.

The legal mentions an acknowledgment must carry (CRPA L112-11 and R112-5) live on the procedure;
``services.catalogue.missing_mentions`` refuses to publish while one is empty.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel
from clocher.demarches.models.families import Family


class SilenceRule(models.TextChoices):
    """What the administration's silence means at the end of the delay.

    CRPA L231-1: silence kept for two months on a request means acceptance, unless an exception
    applies; L231-4 and the decrees of D231-2 list where silence means refusal. A mere report or
    message (no decision to take) has no implicit decision at all.
    """

    ACCEPTANCE = "acceptance", _("Le silence vaut acceptation")
    REFUSAL = "refusal", _("Le silence vaut rejet")
    NOT_APPLICABLE = "not_applicable", _("Sans décision implicite (signalement, message)")


class ProcedureTemplate(models.Model):
    """A procedure the operator offers to every member commune (not commune-owned)."""

    operator = models.ForeignKey(
        "tenancy.Operator", on_delete=models.PROTECT, related_name="procedure_templates"
    )
    slug = models.SlugField(_("identifiant"), max_length=80)
    family = models.CharField(_("famille"), max_length=20, choices=Family.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operator", "slug"], name="demarches_template_slug")
        ]
        ordering = ["slug"]

    def __str__(self) -> str:
        latest = self.latest_version()
        return latest.title if latest else self.slug

    def latest_version(self) -> TemplateVersion | None:
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


class ProcedureText(models.Model):
    """The texts and legal facts shared by a template version and a commune's procedure."""

    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("présentation"), blank=True)
    legal_basis = models.TextField(_("base légale"), blank=True)
    retention_months = models.PositiveIntegerField(
        _("durée de conservation (mois)"),
        help_text=_("Durée d'utilité administrative après la clôture, avant anonymisation."),
    )
    acknowledgment_text = models.TextField(_("texte de l'accusé de réception"), blank=True)
    silence_rule = models.CharField(
        _("sens du silence"), max_length=20, choices=SilenceRule.choices
    )
    silence_delay_months = models.PositiveSmallIntegerField(
        _("délai de décision implicite (mois)"), default=2
    )
    processing_days = models.PositiveSmallIntegerField(
        _("délai de traitement visé (jours)"), default=15
    )
    # The form: see clocher.demarches.formschema for the format.
    schema = models.JSONField(_("formulaire"), default=dict)
    # Statuses of the instruction; empty means the defaults (services.instruction.DEFAULT_STATUSES).
    statuses = models.JSONField(_("statuts"), default=list, blank=True)

    class Meta:
        abstract = True


class TemplateVersion(ProcedureText):
    template = models.ForeignKey(
        ProcedureTemplate, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    changelog = models.TextField(_("ce qui change"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="demarches_version_number")
        ]
        ordering = ["template", "-number"]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"


class Procedure(CommuneOwnedModel, ProcedureText):
    """One commune's procedure, adopted from a template (or created by the commune)."""

    template = models.ForeignKey(
        ProcedureTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adopted_version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    slug = models.SlugField(_("adresse"), max_length=80)
    family = models.CharField(_("famille"), max_length=20, choices=Family.choices)
    # Mandatory mentions of the acknowledgment (CRPA R112-5): the service that processes it.
    service_name = models.CharField(_("service chargé du dossier"), max_length=200, blank=True)
    service_address = models.TextField(_("adresse postale du service"), blank=True)
    service_email = models.EmailField(_("adresse électronique du service"), blank=True)
    service_phone = models.CharField(_("téléphone du service"), max_length=30, blank=True)
    appeal_routes = models.TextField(_("voies et délais de recours"), blank=True)
    options = models.JSONField(default=dict, blank=True)
    current_form = models.ForeignKey(
        "demarches.FormVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_published = models.BooleanField(_("publiée"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "slug"], name="demarches_procedure_slug")
        ]
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class FormVersion(CommuneOwnedModel):
    """One version of a procedure's form. Published versions are never edited again."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="form_versions")
    number = models.PositiveIntegerField()
    schema = models.JSONField(default=dict)
    based_on = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="demarches_form_version_number"
            )
        ]
        ordering = ["procedure", "-number"]

    def __str__(self) -> str:
        return f"{self.procedure} — formulaire v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
