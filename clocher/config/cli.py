"""The ``clocher`` console script: Django's management commands with Clocher's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clocher.config.settings")
    from django.core.management import execute_from_command_line

    arguments = list(argv if argv is not None else sys.argv[1:])
    if arguments and not arguments[0].startswith("-"):
        # Commands are spelled with hyphens (`clocher api-key`); their modules use underscores.
        arguments[0] = arguments[0].replace("-", "_")
    execute_from_command_line(["clocher", *arguments])


if __name__ == "__main__":
    main()
