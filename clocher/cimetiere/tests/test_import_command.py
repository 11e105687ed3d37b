"""``clocher cemetery import``: prints the summary, or the errors with exit status 1."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from clocher.cimetiere.models import Burial, Plot
from clocher.config.cli import main

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def _run(*arguments):
    out, err = io.StringIO(), io.StringIO()
    call_command("cemetery", "import", *arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_the_summary(commune_a):
    """A clean file is written and the counts are printed."""
    out, err = _run("--commune", "agey", str(FIXTURES / "cimetiere_tableur.csv"))
    assert "Import terminé : 8 lignes lues (cp1252, séparateur ';')." in out
    assert "Inhumations               6         0          0" in out
    assert "Qualité des données : score moyen" in out
    assert "  Pas de photo de l'emplacement : 5" in out
    assert "ATTENTION  Ligne 1, colonne Remarque : colonne inconnue, elle est ignorée." in err
    assert Burial.objects.for_commune(commune_a).count() == 6


def test_dry_run_writes_nothing(commune_a):
    """--dry-run prints the same counts and leaves the database as it was."""
    out, _err = _run("--commune", "agey", "--dry-run", str(FIXTURES / "cimetiere_tableur.csv"))
    assert "Simulation (rien n'est écrit)" in out
    assert "Emplacements              6         0          0" in out
    assert not Plot.objects.for_commune(commune_a).exists()


def test_errors_exit_with_status_one_and_write_nothing(commune_a):
    """Each error is printed with its line; the command fails with code 1, nothing written."""
    err = io.StringIO()
    with pytest.raises(CommandError, match="10 erreur\\(s\\) : rien n'a été importé") as caught:
        call_command(
            "cemetery",
            "import",
            "--commune",
            "agey",
            str(FIXTURES / "cimetiere_erreurs.csv"),
            stdout=io.StringIO(),
            stderr=err,
        )
    assert caught.value.returncode == 1
    assert "ERREUR  Ligne 2, colonne act_date : « 31/02/1987 » n'est pas une date." in (
        err.getvalue()
    )
    assert not Plot.objects.for_commune(commune_a).exists()


def test_unreadable_file_fails_with_advice(commune_a, tmp_path):
    """A spreadsheet saved as .xlsx is refused with the advice to save it as CSV."""
    path = tmp_path / "registre.csv"
    path.write_bytes(b"PK\x03\x04" + bytes(50))
    with pytest.raises(CommandError, match="Enregistrer sous") as caught:
        _run("--commune", "agey", str(path))
    assert caught.value.returncode == 1


def test_console_script_exits_with_status_one(commune_a, capsys):
    """`clocher cemetery import` with an unknown commune exits with status 1."""
    with pytest.raises(SystemExit) as caught:
        main(["cemetery", "import", "--commune", "nulle-part", str(FIXTURES / "x.csv")])
    assert caught.value.code == 1
    assert "Commune inconnue : 'nulle-part'." in capsys.readouterr().err
