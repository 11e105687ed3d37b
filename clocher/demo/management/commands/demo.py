"""``clocher demo``: load the demo intercommunality and print how to sign in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django_otp.oath import TOTP

from clocher.demo import data
from clocher.demo.services import demo_load


class Command(BaseCommand):
    help = "Load the demo intercommunality (idempotent) and print the demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--codes",
            action="store_true",
            help="Also print each account's current six-digit code (for trying the demo).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even on a database that is not the embedded SQLite one.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "sqlite" and not options["force"]:
            raise CommandError(
                "The demo creates accounts with a known password: it only loads on the embedded "
                "SQLite database unless you pass --force."
            )
        loaded = demo_load()
        out = self.stdout.write
        out("")
        out(
            self.style.SUCCESS(
                f"Demo loaded: {data.OPERATOR['name']}, {len(data.COMMUNES)} communes."
            )
        )
        out(f"Site: {settings.SITE_URL}/   Sign in: {settings.SITE_URL}/compte/connexion/")
        out(f"Password of every demo account: {data.DEMO_PASSWORD}")
        out("")
        out("Second factor: accounts marked 2FA ask for a six-digit code. Add the secret shown to")
        out("an authenticator app (FreeOTP, Aegis, Google Authenticator…: 'enter a setup key',")
        out("time-based), or run `clocher demo --codes` to print the current codes (valid 30 s).")
        out("")
        width = max(len(item.account.email) for item in loaded)
        for item in loaded:
            account = item.account
            where = account.operator_role or f"{', '.join(account.roles)} @ {account.commune_slug}"
            line = f"  {account.email:<{width}}  {where}"
            if item.totp_secret:
                line += f"\n  {'':<{width}}  2FA secret: {item.totp_secret}"
                if options["codes"]:
                    import base64

                    key = base64.b32decode(item.totp_secret + "=" * (-len(item.totp_secret) % 8))
                    line += f"   current code: {TOTP(key).token():06d}"
            else:
                line += "   (no second factor)"
            out(line)
        out("")
