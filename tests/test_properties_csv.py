"""Property tests of ``coproduce contributor import``: whatever the file holds (any bytes, any
encoding, a BOM, missing or extra columns, bad addresses, duplicates), the command ends with
status 0 or 1 and never a traceback; a file it cannot read is refused in one line with nothing
stored; otherwise every row is either imported or reported by its line, and everyone stored
has a contact point we can use."""

from __future__ import annotations

import csv
import io
import json
import shutil
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bot.cli import app
from channels.base import ChannelName
from channels.email import normalise_email
from channels.sms import normalise_phone
from channels.telegram import normalise_chat_id

runner = CliRunner()
COLUMNS = ["name", "email", "phone", "telegram", "language", "channel", "access_needs"]
ANN = {"email": "ann@example.net", "phone": "+447700900001"}  # already in the database
NORMALISED = {
    ChannelName.EMAIL.value: normalise_email,
    ChannelName.SMS.value: normalise_phone,
    ChannelName.TELEGRAM.value: normalise_chat_id,
}

# For each column: values that are right (in some spelling), and values that are wrong.
_who = st.sampled_from(["bo", "cy", "dee", "ed", "fay"])
_digits = st.integers(100, 130).map(str)
GOOD = {
    "name": st.sampled_from(["Bo", "  Cy  Dee ", "Zoë", "محمد", "Bo\nBo"]),
    "email": st.one_of(
        _who.map(lambda who: f"{who}@example.net"),
        _who.map(lambda who: f"{who.title()} <{who.upper()}@Example.NET>"),
        st.just(ANN["email"].upper()),
    ),
    "phone": st.one_of(
        _digits.map(lambda d: f"07700 900{d}"),
        _digits.map(lambda d: f"+44 7700 900 {d}"),
        st.just(ANN["phone"]),
    ),
    "telegram": st.one_of(_digits, _digits.map(lambda d: f" -100{d} "), st.just("١٢٣")),
    "language": st.sampled_from(["en", "CY", "cy-GB", "pl_PL", "fr", ""]),
    "channel": st.sampled_from(["", "email", "SMS", " telegram "]),
    "access_needs": st.sampled_from(["", "Easy Read; large print", "step-free, ,"]),
}
BAD = {
    "name": ["", " ", "\t"],
    "email": ["x@y", "a b@c.d", "@x.org", "a@b.c, d@e.f", "a\n@b.org", "ann@example.net\x00"],
    "phone": ["12", "+" + "9" * 40, "tel:0", "07700\n900123"],
    "telegram": ["abc", "²", "9" * 5000, "--1"],
    "language": ["xx", "en@euro", "_", "a\nb"],
    "channel": ["fax", "e-mail", "sms\n"],
    "access_needs": ["\x00"],
}
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
ENCODINGS = ["utf-8-sig", "utf-16", "latin-1", "cp1252"]


def _rarely(draw: st.DrawFn) -> bool:
    return draw(st.integers(0, 7)) == 7


@st.composite
def _values(draw: st.DrawFn, column: str) -> str:
    if _rarely(draw):
        return draw(_text)
    return draw(st.sampled_from(BAD[column]) if _rarely(draw) else GOOD[column])


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A contributors file as a spreadsheet might save it, right or wrong in any part."""
    columns = draw(st.lists(st.sampled_from(COLUMNS[2:]), unique=True, max_size=5))
    for needed in ("email", "name"):
        if not _rarely(draw):
            columns.insert(draw(st.integers(0, len(columns))), needed)
    header = [draw(st.sampled_from([c, c.upper(), f" {c} "])) for c in columns]
    if _rarely(draw):
        header.insert(draw(st.integers(0, len(header))), draw(_text))  # a column we do not know
    rows = [] if _rarely(draw) else [header]
    for _ in range(draw(st.integers(0, 6))):
        row = [draw(_values(column)) for column in columns]
        if _rarely(draw):
            row = row[: draw(st.integers(0, len(row)))]  # fields missing at the end
        if _rarely(draw):
            row.append(draw(_text))  # one field too many
        rows.append(row or [""])
    if rows and _rarely(draw):
        rows.append(draw(st.sampled_from(rows)))  # the same row twice
    out = io.StringIO()
    writer = csv.writer(
        out,
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"])),
    )
    writer.writerows(rows)
    if _rarely(draw):
        return draw(st.binary(max_size=200))
    encoding = draw(st.sampled_from(ENCODINGS)) if _rarely(draw) else "utf-8"
    return out.getvalue().encode(encoding, errors="replace")


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    """A database with Ann in it, copied for each example."""
    template = tmp_path / "template.db"
    env = {"COPRODUCE_DATABASE_URL": f"sqlite+aiosqlite:///{template}"}
    args = ["contributor", "add", "Ann", "--email", ANN["email"], "--phone", ANN["phone"]]
    assert runner.invoke(app, args, env=env).exit_code == 0
    return template


def _listed(env: dict[str, str]) -> list[dict]:
    result = runner.invoke(app, ["contributor", "list", "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@settings(
    deadline=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=csv_files(),
    as_json=st.booleans(),
)
@example(content=b'name,email\n"Bo\nBo",bo@example.net\nCy,"a\nb"\n', as_json=False)
@example(content=b'name,"mail\nbox"\nBo,bo@example.net\n', as_json=False)
@example(content=b"name\n" + b"x" * 140_000 + b"\n", as_json=False)
def test_an_import_of_any_file_ends_cleanly_and_stores_only_usable_contributors(
    seeded: Path, tmp_path: Path, content: bytes, as_json: bool
) -> None:
    database = tmp_path / f"{uuid.uuid4().hex}.db"
    shutil.copy(seeded, database)
    env = {"COPRODUCE_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    people = tmp_path / "people.csv"
    people.write_bytes(content)

    result = runner.invoke(
        app, ["contributor", "import", str(people), *(["--json"] if as_json else [])], env=env
    )

    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code in (0, 1)
    stored = _listed(env)
    if result.stderr.startswith("Error: "):
        # Refused as a whole: one line, and nothing added.
        assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
        assert [p["name"] for p in stored] == ["Ann"]
        return
    text = content.decode("utf-8-sig")  # as the command read it
    data_rows = sum(1 for row in csv.reader(io.StringIO(text, newline="")) if row) - 1
    if as_json:
        report = json.loads(result.stdout)
        imported, rejected = report["imported"], report["rejected"]
        assert sorted(p["id"] for p in stored[1:]) == sorted(imported)
        lines = [r["line"] for r in rejected]
        assert lines == sorted(set(lines)) and all(line >= 2 for line in lines)
        reasons = [r["reason"] for r in rejected]
    else:
        out = result.stdout.splitlines()
        assert out[0] == f"Imported {len(stored) - 1} contributor{'' if len(stored) == 2 else 's'}."
        reasons = out[2:]
        assert all(line.startswith("  line ") for line in reasons)
    # Every row is either imported or reported, each on a line of its own.
    assert len(stored) - 1 + len(reasons) == data_rows
    assert result.exit_code == (1 if reasons else 0)
    assert all(reason and "\n" not in reason for reason in reasons)
    for person in stored:
        _assert_usable(person)


def _assert_usable(person: dict) -> None:
    assert person["name"] and person["name"] == " ".join(person["name"].split())
    points = person["contact_points"]
    assert points, person
    for point in points:
        address = point["address"]
        assert NORMALISED[point["channel"]](address) == address
    assert person["preferred_channel"] in {point["channel"] for point in points}
