"""Lint rule: views and API handlers never query a commune-owned model without its commune.

Reads the source of every ``views``, ``api`` and ``forms`` module of Clocher's apps and flags,
on a commune-owned model, any ``Model.objects.<method>(…)`` other than ``for_commune``, and
``get_object_or_404(Model, …)``. Go through a selector (``Model.objects.for_commune(commune)…``)
or let the URL registry resolve the object (``clocher.core.scoping``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from clocher.core.models.base import commune_owned_models

PACKAGE = Path(__file__).resolve().parents[2]
CHECKED_MODULES = ("views", "api", "forms", "public_views")
SCOPED_ENTRY_POINTS = {"for_commune", "none"}


def _checked_files() -> list[Path]:
    files = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        if path.stem in CHECKED_MODULES or path.parent.name == "views":
            files.append(path)
    return files


def _violations(source: str, model_names: set[str]) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr not in SCOPED_ENTRY_POINTS
            and isinstance(func.value, ast.Attribute)
            and func.value.attr in {"objects", "_default_manager"}
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id in model_names
        ):
            found.append((node.lineno, f"{func.value.value.id}.objects.{func.attr}()"))
        if (
            isinstance(func, ast.Name)
            and func.id in {"get_object_or_404", "get_list_or_404"}
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in model_names
        ):
            found.append((node.lineno, f"{func.id}({node.args[0].id}, …)"))
    return found


@pytest.mark.django_db
def test_views_never_query_commune_owned_models_unscoped():
    """No view, API handler or form fetches a commune-owned object without its commune."""
    names = {model.__name__ for model in commune_owned_models()}
    problems = []
    for path in _checked_files():
        for line, call in _violations(path.read_text(), names):
            problems.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {call}")
    assert problems == [], "Unscoped queries:\n" + "\n".join(problems)


def test_lint_rule_flags_an_unscoped_query():
    """The rule itself catches the two forbidden shapes and lets a scoped query through."""
    source = (
        "Membership.objects.get(pk=1)\n"
        "get_object_or_404(Membership, pk=2)\n"
        "Membership.objects.for_commune(c).get(pk=3)\n"
        "Membership.objects.select_related('user')\n"
    )
    assert _violations(source, {"Membership"}) == [
        (1, "Membership.objects.get()"),
        (2, "get_object_or_404(Membership, …)"),
        (4, "Membership.objects.select_related()"),
    ]
