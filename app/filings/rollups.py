"""The monthly rollup (`MonthlyTotal`): one row per enterprise-month with its effective approved totals.

Kept in the same transaction as whatever changes it: after every flush that approved a filing, superseded one
(an amendment's approval), stored a new current calculation (a recalculation) or deleted a filing, the rows of
the enterprise-months touched are rewritten from the filings and calculations by the very SQL that
`rebuild()` runs for the whole city, so a maintained rollup and a rebuilt one cannot differ in method.
The rows are written with plain SQL on the session's connection: they are the platform's own bookkeeping,
derived from rows the tenancy gate already let through. ORM bulk statements (`session.execute(update(Filing)
...)`) pass no object through the flush: the enterprise-months they match are rewritten right after them.

Every write also appends a generation to `rollup_generation` (`bump`), in the same transaction: the city pages'
caches key on it, so they are invalidated exactly when a commit changes what they show.
"""
from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import and_, delete, event, func, insert, inspect, select, tuple_
from sqlalchemy.orm import Session

from app.filings.models import (
    APPROVED,
    Calculation,
    Filing,
    MonthlyTotal,
    RollupGeneration,
)

_COLUMNS = ("scope1_tco2e", "scope2_tco2e", "scope2_market_tco2e", "scope3_tco2e", "exported_tco2e",
            "total_tco2e", "energy_tce", "ets_tco2e", "guideline_tco2e", "inventory_tco2e")
_TABLE = MonthlyTotal.__table__
_GENERATION = RollupGeneration.__table__
_CHUNK = 400  # (org_id, period) pairs per statement: well inside SQLite's limit on bound parameters


def effective(keys: set[tuple[int, date]] | None = None):
    """SELECT the rollup rows (org_id, period, filing_id, calculation_id, totals...) from the filings: per
    enterprise-month its approved revision not superseded, with its current calculation. `keys`: only these
    (org_id, period) pairs; None: the whole city."""
    query = (select(Filing.org_id, Filing.period, Filing.id, Calculation.id,
                    *(getattr(Calculation, c) for c in _COLUMNS), Filing.output_value_10k_cny)
             .join(Calculation, and_(Calculation.filing_id == Filing.id, Calculation.is_current))
             .where(Filing.status == APPROVED, Filing.superseded_at.is_(None)))
    if keys is not None:
        query = query.where(tuple_(Filing.org_id, Filing.period).in_(sorted(keys)))
    return query


def bump(connection) -> None:
    """Change the generation in the caller's transaction by appending a row with a random value (the latest row
    is the generation). Appending locks nothing another writer waits for: updating one shared row would, and
    with the audit chain's head (locked by every audited write) two writers taking both in opposite orders
    deadlock. A random value also means a per-process cache never takes an emptied and refilled database's
    generation for an old one's. `flask rollups rebuild` prunes the rows of past generations."""
    connection.execute(insert(_GENERATION).values(value=secrets.randbelow(2 ** 62)))


def generation(connection) -> int | None:
    return connection.execute(select(_GENERATION.c.value).order_by(_GENERATION.c.id.desc()).limit(1)).scalar()


def prune(connection) -> None:
    """Forget the generations before the latest (run with the CLI, outside the requests' transactions)."""
    latest = connection.execute(select(func.max(_GENERATION.c.id))).scalar()
    if latest is not None:
        connection.execute(delete(_GENERATION).where(_GENERATION.c.id < latest))


def _write(connection, keys: set[tuple[int, date]] | None) -> None:
    columns = ["org_id", "period", "filing_id", "calculation_id", *_COLUMNS, "output_value_10k_cny"]
    bump(connection)
    if keys is None:
        connection.execute(delete(_TABLE))
        connection.execute(insert(_TABLE).from_select(columns, effective()))
        return
    ordered = sorted(keys)
    for start in range(0, len(ordered), _CHUNK):  # a bulk load (the demo) touches thousands at once
        chunk = set(ordered[start:start + _CHUNK])
        connection.execute(delete(_TABLE).where(tuple_(_TABLE.c.org_id, _TABLE.c.period).in_(sorted(chunk))))
        connection.execute(insert(_TABLE).from_select(columns, effective(chunk)))


def rebuild(session: Session) -> int:
    """Rewrite every rollup row from the filings (`flask rollups rebuild`); returns how many there are."""
    session.flush()
    connection = session.connection()
    _write(connection, None)
    prune(connection)
    return len(connection.execute(select(_TABLE.c.id)).all())


def differences(session: Session) -> list[tuple]:
    """Rows where the stored rollup and a rebuild would differ (empty when they agree): (org_id, period,
    stored row or None, rebuilt row or None)."""
    rows = [tuple(r) for r in session.connection().execute(effective())]
    rebuilt = {(r[0], r[1]): r for r in rows}
    stored = {(r[0], r[1]): tuple(r) for r in session.connection().execute(
        select(_TABLE.c.org_id, _TABLE.c.period, _TABLE.c.filing_id, _TABLE.c.calculation_id,
               *(_TABLE.c[c] for c in _COLUMNS), _TABLE.c.output_value_10k_cny))}
    return [(key[0], key[1], stored.get(key), rebuilt.get(key))
            for key in sorted(set(rebuilt) | set(stored)) if stored.get(key) != rebuilt.get(key)]


def _changed(obj, *attributes) -> bool:
    state = inspect(obj)
    return any(state.attrs[a].history.has_changes() for a in attributes)


def _was_or_is_approved(obj: Filing) -> bool:
    history = inspect(obj).attrs.status.history
    return APPROVED in (*history.added, *history.deleted, *history.unchanged)


def _touched(session: Session) -> tuple[set[tuple[int, date]], set[int]]:
    """The enterprise-months this flush may have changed, and the filings known only by id (calculations).
    Only approved months are in the rollup: saving, submitting or returning a draft changes none (and so
    leaves the city pages' caches alone on filing day)."""
    keys, filing_ids = set(), set()
    for obj in session.new:
        if isinstance(obj, Filing) and obj.status == APPROVED:
            keys.add((obj.org_id, obj.period))
        elif isinstance(obj, Calculation):
            filing_ids.add(obj.filing_id)
    for obj in session.dirty:
        if isinstance(obj, Filing) and (_changed(obj, "superseded_at") or (
                _changed(obj, "status", "period") and _was_or_is_approved(obj))):
            keys.add((obj.org_id, obj.period))
        elif isinstance(obj, Calculation) and _changed(obj, "is_current"):
            filing_ids.add(obj.filing_id)
    for obj in session.deleted:
        if isinstance(obj, Filing) and obj.status == APPROVED:
            keys.add((obj.org_id, obj.period))
    return keys, filing_ids


def _maintain(session: Session, flush_context) -> None:
    keys, filing_ids = _touched(session)
    if not keys and not filing_ids:
        return
    connection = session.connection()
    if filing_ids:
        keys |= {(org_id, period) for org_id, period in connection.execute(  # a recalculated approved month
            select(Filing.org_id, Filing.period).where(Filing.id.in_(filing_ids), Filing.status == APPROVED))}
    if keys:
        _write(connection, keys)


def _matched(connection, entity, whereclause) -> set[tuple[int, date]]:
    """The enterprise-months of the filings or calculations a bulk statement's WHERE matches."""
    if entity is Filing:
        query = select(Filing.org_id, Filing.period)
    else:
        query = select(Filing.org_id, Filing.period).join(Calculation, Calculation.filing_id == Filing.id)
    if whereclause is not None:
        query = query.where(whereclause)
    return {(org_id, period) for org_id, period in connection.execute(query)}


def _bulk(state):
    """An ORM bulk UPDATE or DELETE of filings or calculations: the months it matches, before (a DELETE, or an
    UPDATE that moves rows out of its own WHERE) and after it, are rewritten once it has run."""
    if not (state.is_update or state.is_delete):
        return None
    entity = state.bind_mapper.class_ if state.bind_mapper is not None else None
    if entity is not Filing and entity is not Calculation:
        return None
    connection = state.session.connection()
    keys = _matched(connection, entity, state.statement.whereclause)
    result = state.invoke_statement()
    if state.is_update:
        keys |= _matched(connection, entity, state.statement.whereclause)
    if keys:
        _write(connection, keys)
    return result


def init_app(app) -> None:
    # Listeners are process-wide (on the Session class); add them once however many apps are made.
    if not event.contains(Session, "after_flush", _maintain):
        event.listen(Session, "after_flush", _maintain)
    if not event.contains(Session, "do_orm_execute", _bulk):
        event.listen(Session, "do_orm_execute", _bulk)
