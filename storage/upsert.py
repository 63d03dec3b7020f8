"""Writes the ORM would make one row at a time: INSERT ... ON CONFLICT DO NOTHING on both
databases, for idempotent writes, and INSERT ... SELECT, for many rows made from ids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, insert, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_unless_exists(
    session: AsyncSession,
    table: Table,
    values: dict[str, Any],
    conflict_columns: list[str],
    key: str = "id",
) -> Any | None:
    """Insert one row and return its ``key`` column, or None when a row with the same key exists.

    Safe under concurrency: the database's unique index decides, not a prior SELECT.
    """
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict_columns)
        .returning(table.c[key])
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def insert_many_unless_exist(
    session: AsyncSession,
    table: Table,
    rows: list[dict[str, Any]],
    conflict_columns: list[str],
    returning: Sequence[ColumnElement[Any]] = (),
) -> Sequence[Row[Any]]:
    """Insert the rows whose keys are not taken yet, in one statement; with ``returning``,
    those columns of the rows it inserted (in no set order)."""
    if not rows:
        return []
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        module.insert(table).values(rows).on_conflict_do_nothing(index_elements=conflict_columns)
    )
    if not returning:
        await session.execute(statement)
        return []
    return (await session.execute(statement.returning(*returning))).all()


async def insert_from_select(
    session: AsyncSession,
    table: Table,
    selected: dict[str, ColumnElement[Any]],
    where: ColumnElement[bool],
    constants: dict[str, Any],
) -> None:
    """One row for each row ``where`` finds, in the order of the first selected column: the
    ``selected`` columns from it, and the same ``constants`` for all (typed as ``table``'s
    columns, so dates and JSON are stored as the ORM stores them). The database writes
    the rows, so the cost per row is in SQL, not Python."""
    columns = list(selected.values())
    query = (
        select(
            *columns,
            *(literal(value, table.c[name].type) for name, value in constants.items()),
        )
        .where(where)
        .order_by(columns[0])
    )
    await session.execute(insert(table).from_select([*selected, *constants], query))
