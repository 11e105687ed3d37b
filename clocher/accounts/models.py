"""Staff accounts (platform-wide) and citizen accounts (per commune, sealed in its vault)."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.models import CommuneOwnedModel
from clocher.core.vault import EncryptedTextField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A staff account needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_staff", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff: commune staff, elected officials, operator staff.

    Citizens do not have a ``User``: see :class:`CitizenAccount`.
    """

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Django admin access (unused).")
    date_joined = models.DateTimeField(default=timezone.now)
    oidc_subject = models.CharField(max_length=255, blank=True, db_index=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = _("compte agent")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @cached_property
    def is_operator_staff(self) -> bool:
        return self.operator_memberships.exists()


class CitizenAccount(CommuneOwnedModel):
    """An optional citizen account in one commune, reached by a magic link sent by e-mail.

    The e-mail is personal data: it is sealed with the commune's key, and found again through a
    blind index (a keyed hash) so that no clear address is stored.
    """

    email = EncryptedTextField()
    email_index = models.CharField(max_length=64)
    display_name = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "email_index"], name="citizen_email_unique")
        ]

    def __str__(self) -> str:
        return f"citizen account {self.pk}"
