"""The tenants: the operator that hosts Clocher, its communes, and who works for which."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel


class Operator(models.Model):
    """The hosting body: a département, an intercommunality or a public digital company."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(unique=True)
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A member commune: the tenant whose data is sealed from every other."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="communes")
    insee_code = models.CharField(
        _("code INSEE"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^(\d{5}|2[AB]\d{3})$", _("Un code INSEE a 5 caractères."))],
    )
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(unique=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    address = models.TextField(_("adresse de la mairie"), blank=True)
    email = models.EmailField(_("e-mail de la mairie"), blank=True)
    phone = models.CharField(_("téléphone de la mairie"), max_length=30, blank=True)
    opening_hours = models.TextField(_("horaires d'ouverture"), blank=True)
    logo = models.ForeignKey(
        "core.VaultFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    COMMUNE_ADMIN = "commune_admin", _("Administrateur de la commune")
    AGENT = "agent", _("Agent")
    ELECTED = "elected", _("Élu (peut signer)")
    TECHNICIAN = "technician", _("Technicien")


class OperatorRole(models.TextChoices):
    ADMIN = "operator_admin", _("Administrateur de l'opérateur")
    SUPPORT = "operator_support", _("Support de l'opérateur")


# Roles whose holders must use a second factor (the rule): commune admins, signers and
# operator staff. Agents and technicians may enable it; the login flow asks it from all who have it.
ROLES_REQUIRING_SECOND_FACTOR = {Role.COMMUNE_ADMIN, Role.ELECTED}


class Membership(CommuneOwnedModel):
    """One role of one person in one commune (a person may hold several roles)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "user", "role"], name="membership_unique_role"
            )
        ]
        ordering = ["user__last_name", "user__first_name", "role"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.commune_id})"


class OperatorMembership(models.Model):
    """A member of the operator's staff."""

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_memberships"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=OperatorRole.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "user", "role"], name="operator_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"
