"""The catalogue subcommands of `relais`, run in-process: outputs and exit codes."""

import json

import pytest

from bot.cli import main
from tests.conftest import CATALOGUE

FIXTURE = str(CATALOGUE)


@pytest.fixture
def db(tmp_path) -> list[str]:
    return ["--db", f"sqlite:///{tmp_path / 'cli.db'}"]


def test_import_then_reimport(db, capsys):
    assert main([*db, "import", FIXTURE]) == 0
    assert "119 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert main([*db, "import", FIXTURE]) == 0
    assert "0 created, 0 updated, 119 unchanged" in capsys.readouterr().out


def test_dry_run_lists_what_would_change_and_writes_nothing(db, tmp_path, capsys):
    sheet = tmp_path / "new.csv"
    sheet.write_text("id,name,categories\nn-1,Bagagerie,luggage_storage\n", encoding="utf-8")
    assert main([*db, "import", "--dry-run", str(sheet)]) == 0
    out = capsys.readouterr().out
    assert "would create n-1" in out and "1 would be created" in out
    assert main([*db, "services", "list"]) == 0
    assert capsys.readouterr().out == ""


def test_malformed_file_exits_2_with_summary_and_problem_lines(db, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "a", "name": "A"}, {"id": "b", "name": 3}', encoding="utf-8")
    assert main([*db, "import", str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "relais: error: bad.json: rejected: 1 problem found, nothing was written"
    assert "invalid or truncated JSON" in err[1]


def test_hours_relais_cannot_check_are_a_warning_and_the_import_goes_ahead(db, tmp_path, capsys):
    schedule = {"byday": "TU", "interval": 2, "opens_at": "14:00", "closes_at": "16:00"}
    path = tmp_path / "s.json"
    path.write_text(json.dumps([{"id": "s-1", "name": "S", "schedules": [schedule]}]), "utf-8")
    assert main([*db, "import", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == (
        "relais: warning: s.json: item 1, hours: TU 14:00-16:00 repeats by interval, "
        "which Relais cannot check: shown as hours to confirm, never as open now\n"
    )
    assert out == "s.json: 1 created, 0 updated, 0 unchanged\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import", "/nonexistent/file.json"], "no such file"),
        (["--db", "nosuchdb://x", "services", "list"], "invalid database URL"),
        (["--db", "sqlite:////nonexistent/dir/x.db", "services", "list"], "cannot open database"),
        (["services", "show", "nope"], "no service with id 'nope'"),
    ],
)
def test_user_errors_are_one_line_exit_2(db, argv, message, capsys):
    argv = argv if argv[0] == "--db" else [*db, *argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_export_both_formats_and_show(db, tmp_path, capsys):
    assert main([*db, "import", FIXTURE]) == 0
    assert main([*db, "export", "--format", "hsds", str(tmp_path / "out.json")]) == 0
    assert main([*db, "export", str(tmp_path / "out.csv")]) == 0
    out = capsys.readouterr().out
    assert "119 services written" in out and "(csv)" in out
    assert len(json.loads((tmp_path / "out.json").read_text("utf-8"))) == 119
    assert main([*db, "services", "show", "svc-040"]) == 0
    assert json.loads(capsys.readouterr().out)["areas"] == ["Métropole Européenne de Lille"]
    assert main([*db, "services", "list"]) == 0
    assert capsys.readouterr().out.count("\n") == 119
