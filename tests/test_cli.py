"""The ``coproduce`` command: clear results, one-line errors with exit status 1, --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()


def coproduce(*args: str):
    return runner.invoke(app, list(args))


def _ok(*args: str) -> str:
    result = coproduce(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_db_upgrade_creates_the_default_sqlite_database_here() -> None:
    assert "The database is up to date (revision 0014)." in _ok("db", "upgrade")
    assert Path("coproduce.db").exists()


def test_a_contributor_is_added_with_normalised_contact_points() -> None:
    out = _ok(
        "contributor",
        "add",
        "Jo  Bloggs",
        "--email",
        "Jo@Example.NET",
        "--phone",
        "07700 900123",
        "--language",
        "en",
        "--access-needs",
        "Easy Read; large print",
    )
    assert out.strip() == (
        "Added contributor 1: Jo Bloggs (email jo@example.net, sms +447700900123; prefers email)."
    )
    [person] = json.loads(_ok("contributor", "list", "--json"))
    assert person["name"] == "Jo Bloggs"
    assert person["access_needs"] == ["easy-read", "large-print"]
    assert person["contact_points"] == [
        {"channel": "email", "address": "jo@example.net", "stopped": False},
        {"channel": "sms", "address": "+447700900123", "stopped": False},
    ]


def test_the_preferred_channel_must_have_an_address() -> None:
    result = coproduce("contributor", "add", "Jo", "--email", "jo@example.net", "--channel", "sms")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: preferred channel is sms but no sms address was given"
    assert json.loads(_ok("contributor", "list", "--json")) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--phone", "12"], "Error: '12' is not a phone number"),
        (["--email", "not-an-address"], "Error: 'not-an-address' is not an email address"),
        (["--telegram", "abc"], "Error: 'abc' is not a Telegram chat number"),
        (["--email", "jo@example.net", "--language", "xx"], "Error: 'xx' is not a language code"),
        ([], "Error: give at least one of an email address, a phone number or a Telegram chat"),
    ],
    ids=["bad-phone", "bad-email", "bad-chat", "bad-language", "no-contact"],
)
def test_bad_contributor_details_are_refused_in_one_line(args: list[str], message: str) -> None:
    result = coproduce("contributor", "add", "Jo", *args)
    assert result.exit_code == 1
    assert result.stderr.strip() == message


def test_an_address_that_belongs_to_someone_else_is_refused() -> None:
    _ok("contributor", "add", "Jo", "--email", "jo@example.net")
    result = coproduce("contributor", "add", "Joanne", "--email", "JO@example.net")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: email jo@example.net already belongs to contributor 1"


def test_a_language_without_a_catalog_is_kept_with_a_note() -> None:
    result = coproduce("contributor", "add", "Gwen", "--phone", "07700900124", "--language", "gd")
    assert result.exit_code == 0
    assert "messages will be in English" in result.stderr
    assert json.loads(_ok("contributor", "list", "--json"))[0]["language"] == "gd"


def test_a_language_with_a_catalog_is_taken_by_its_regional_code_without_a_note() -> None:
    result = coproduce(
        "contributor", "add", "Gwen", "--phone", "07700900124", "--language", "cy-GB"
    )
    assert result.exit_code == 0
    assert "English" not in result.stderr
    assert json.loads(_ok("contributor", "list", "--json"))[0]["language"] == "cy"


def test_an_import_keeps_good_rows_and_reports_bad_ones_by_line(tmp_path: Path) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "name,email,phone,telegram,language,channel,access_needs\n"
        "Ann Lee,ann@example.net,,,en,email,\n"
        "Bo,,07700 900 125,,,sms,large print\n"
        ",nobody@example.net,,,,,\n"
        "Cat,,12,,,,\n"
        "Dan,,,55501,,telegram,\n"
        "Eve,ANN@example.net,,,,,\n",
        encoding="utf-8",
    )
    result = coproduce("contributor", "import", str(csv_file))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "Imported 3 contributors.",
        "3 rows were not imported:",
        "  line 4: a name is needed",
        "  line 5: '12' is not a phone number",
        "  line 7: email ann@example.net already belongs to contributor 1",
    ]
    names = [p["name"] for p in json.loads(_ok("contributor", "list", "--json"))]
    assert names == ["Ann Lee", "Bo", "Dan"]


def test_an_import_with_the_wrong_header_imports_nothing(tmp_path: Path) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("full name,mail\nAnn,ann@example.net\n", encoding="utf-8")
    result = coproduce("contributor", "import", str(csv_file))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the first line must name the columns name,email,")
    assert json.loads(_ok("contributor", "list", "--json")) == []


def test_an_import_can_report_as_json(tmp_path: Path) -> None:
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("name,email\nAnn,ann@example.net\nBo,bad\n", encoding="utf-8")
    result = coproduce("contributor", "import", str(csv_file), "--json")
    assert json.loads(result.stdout) == {
        "imported": [1],
        "rejected": [{"line": 3, "reason": "'bad' is not an email address"}],
    }


def _two_people() -> None:
    _ok("contributor", "add", "Lee Staff", "--email", "lee@council.example")
    _ok("contributor", "add", "Ann Lee", "--phone", "07700900001")


def test_a_project_is_created_with_a_staff_lead_and_a_joint_lead() -> None:
    _two_people()
    result = coproduce(
        "project",
        "create",
        "care1",
        "--title",
        "Care at home",
        "--lead",
        "lee@council.example",
        "--joint-lead",
        "2",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Created project CARE1 (Care at home) with leads 1, 2."
    assert result.stderr == ""
    [project] = json.loads(_ok("project", "list", "--json"))
    assert project == {
        "code": "CARE1",
        "title": "Care at home",
        "status": "active",
        "time_zone": "Europe/London",
        "sharing": "checked",
        "leads": [1, 2],
        "members": 2,
    }


def test_a_project_with_one_lead_is_created_with_a_reminder_of_the_rule() -> None:
    _two_people()
    result = coproduce("project", "create", "BUS", "--title", "Buses", "--lead", "1")
    assert result.exit_code == 0
    assert "co-production needs two leads" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["X", "--title", "T", "--lead", "1"], "must be 2 to 12 letters or digits"),
        (["BUS", "--title", "T", "--lead", "99"], "Error: no contributor 99"),
        (
            ["BUS", "--title", "T", "--lead", "who@example.net"],
            "Error: no contributor who@example.net",
        ),
        (["BUS", "--title", "T"], "Error: a project needs at least one --lead"),
        (["BUS", "--title", "T", "--lead", "1", "--time-zone", "Mars/Base"], "unknown time zone"),
    ],
    ids=["bad-code", "unknown-id", "unknown-email", "no-lead", "bad-zone"],
)
def test_bad_project_details_are_refused_in_one_line(args: list[str], message: str) -> None:
    _two_people()
    result = coproduce("project", "create", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(_ok("project", "list", "--json")) == []


def test_a_project_code_is_used_once() -> None:
    _two_people()
    _ok("project", "create", "BUS", "--title", "Buses", "--lead", "1")
    result = coproduce("project", "create", "bus", "--title", "Again", "--lead", "1")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: project BUS already exists"


def test_members_are_invited_by_id_or_email_or_all_at_once() -> None:
    _two_people()
    _ok("contributor", "add", "Cy", "--telegram", "5003")
    _ok("project", "create", "BUS", "--title", "Buses", "--lead", "1")
    assert _ok("project", "add-members", "BUS", "2").strip() == "Invited 1 contributor to BUS."
    assert _ok("project", "add-members", "bus", "--all").strip() == (
        "Invited 1 contributor to BUS (2 already in it)."
    )
    assert json.loads(_ok("project", "list", "--json"))[0]["members"] == 3


def test_adding_members_needs_names_or_all_and_refuses_unknown_people() -> None:
    _two_people()
    _ok("project", "create", "BUS", "--title", "Buses", "--lead", "1")
    assert coproduce("project", "add-members", "BUS").exit_code == 1
    result = coproduce("project", "add-members", "BUS", "2", "nobody@example.net")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: no contributor nobody@example.net"
    assert json.loads(_ok("project", "list", "--json"))[0]["members"] == 1
    missing = coproduce("project", "add-members", "NOPE", "--all")
    assert missing.stderr.strip() == "Error: no project NOPE"


def test_empty_lists_say_how_to_start() -> None:
    assert "coproduce contributor add" in _ok("contributor", "list")
    assert "coproduce project create" in _ok("project", "list")


def test_lists_read_plainly_without_json() -> None:
    _two_people()
    _ok("project", "create", "BUS", "--title", "Buses", "--lead", "1", "--joint-lead", "2")
    assert _ok("project", "list").strip() == "BUS: Buses | active | leads 1, 2 | 2 members"
    lines = _ok("contributor", "list").splitlines()
    assert lines[1] == (
        "2: Ann Lee | project default | prefers sms | sms +447700900001 | access needs: none"
    )
