"""``clocher demarches-catalogue --operator SLUG``: load or refresh the built-in procedure
templates of an operator (idempotent: an unchanged template creates nothing)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Load the built-in procedure templates for an operator, or publish their new versions."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--operator", required=True, help="The operator's slug.")

    def handle(self, *args: Any, operator: str, **options: Any) -> None:
        from clocher.demarches.services.catalogue import catalogue_load
        from clocher.tenancy.models import Operator

        target = Operator.objects.filter(slug=operator).first()
        if target is None:
            raise CommandError(f"No operator with slug {operator!r}.")
        created = catalogue_load(operator=target)
        if created:
            self.stdout.write(f"{created} template version(s) published for {target.name}.")
        else:
            self.stdout.write(f"The catalogue of {target.name} is up to date.")
