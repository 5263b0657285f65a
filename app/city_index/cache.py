"""A small cache of what a month's figures produce (the public page, the default month, the dashboard's data).

Keyed by the data generation (`generation()`: the rollup generation, one cheap query), so
nothing is ever invalidated by hand: every write the figures depend on changes the generation in its own
transaction, and the next request after its commit misses. What changes it:
- every write of the rollup (app.filings.rollups.bump: approvals, amendments, recalculations, deletions);
- any flush or ORM bulk statement touching the other inputs of the index (`WATCHED`: organisations, settings
  versions, statistics, sinks, benchmarks, products, factors, city settings), by the listeners below;
- a new filing of an enterprise registered without a first reporting month (older rows): its first filing then
  stands for that month, so it can move the months it owes. Other new filings (a month opened, a draft saved)
  change nothing the figures read, so filing day does not empty the cache.

Shared by every gunicorn worker when PAGE_CACHE_URL names a Redis (strings only: rendered HTML, a month);
otherwise, and always for Python objects, one dict per process holding the current generation's entries.
A Redis that does not answer costs a warning and the computation, never the page.
"""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from itertools import chain

from flask import current_app, g
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.accounting.models import EmissionFactor, Product, ProductBenchmark
from app.city_data.models import CarbonSink, CityStatistic, IndexSettings
from app.extensions import db
from app.filings import rollups
from app.filings.models import Filing, RollupGeneration
from app.organisations.models import Organisation
from app.settings.models import CitySetting

from .loading import UNSCOPED

log = logging.getLogger(__name__)

WATCHED = (Organisation, IndexSettings, CityStatistic, CarbonSink, ProductBenchmark, Product, EmissionFactor,
           CitySetting)
LOCAL_ENTRIES = 256      # per process: the current generation's entries, at most
SHARED_TTL = 7 * 86400   # seconds a shared entry lives (entries of old generations are never read again)


def generation() -> str:
    current = db.session.execute(select(RollupGeneration.value).order_by(RollupGeneration.id.desc()).limit(1)
                                 .execution_options(**UNSCOPED)).scalar()
    # No generation yet (an emptied database): nothing is cached until a write appends one.
    return str(current) if current is not None else f"none-{secrets.token_hex(8)}"


class LocalStore:
    """One process's entries of the latest generation seen; a new generation empties it."""

    def __init__(self):
        self.generation, self.values = None, {}

    def get(self, generation: str, key: str):
        if generation != self.generation:
            self.generation, self.values = generation, {}
        return self.values.get(key)

    def set(self, generation: str, key: str, value) -> None:
        if generation != self.generation:
            return
        if len(self.values) >= LOCAL_ENTRIES:
            self.values.clear()
        self.values[key] = value


class RedisStore:
    def __init__(self, url: str):
        from redis import Redis

        self.client = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, generation: str, key: str) -> str | None:
        value = self.client.get(f"tanji:city:{generation}:{key}")
        return value.decode() if value is not None else None

    def set(self, generation: str, key: str, value: str) -> None:
        self.client.set(f"tanji:city:{generation}:{key}", value.encode(), ex=SHARED_TTL)


def _stores() -> dict:
    stores = current_app.extensions.get("city_cache")
    if stores is None:
        url = current_app.config.get("PAGE_CACHE_URL")
        local = LocalStore()
        stores = current_app.extensions["city_cache"] = {"local": local,
                                                          "shared": RedisStore(url) if url else local}
    return stores


def cached(key: str, compute: Callable, shared: bool = True):
    """The value of `key` in the current generation, computed (and stored) on a miss. `shared`: a string that
    every worker may reuse (in Redis when configured); otherwise kept in this process only."""
    if "city_generation" not in g:  # once per request: its pages ask for several entries
        g.city_generation = generation()
    current = g.city_generation
    stores = _stores()
    store = stores["shared"] if shared else stores["local"]
    try:
        value = store.get(current, key)
    except Exception:  # any Redis failure: compute as if there were no cache
        log.warning("city cache: %s did not answer; computing %s", type(store).__name__, key, exc_info=True)
        store, value = stores["local"], stores["local"].get(current, key)
    if value is None:
        value = compute()
        try:
            store.set(current, key, value)
        except Exception:  # likewise
            log.warning("city cache: could not store %s", key, exc_info=True)
    return value


def _flushed(session: Session, flush_context) -> None:
    if any(isinstance(obj, WATCHED) for obj in chain(session.new, session.dirty, session.deleted)):
        rollups.bump(session.connection())
        return
    orgs = {obj.org_id for obj in session.new if isinstance(obj, Filing)}
    if orgs and session.connection().execute(
            select(Organisation.id).where(Organisation.id.in_(orgs), Organisation.first_reporting_month.is_(None))
            .limit(1)).first() is not None:
        rollups.bump(session.connection())


def _bulk(state):
    if (state.is_update or state.is_delete or state.is_insert) and state.bind_mapper is not None \
            and issubclass(state.bind_mapper.class_, WATCHED):
        rollups.bump(state.session.connection())


def init_app(app) -> None:
    # Process-wide listeners (on the Session class), added once however many apps are made.
    if not event.contains(Session, "after_flush", _flushed):
        event.listen(Session, "after_flush", _flushed)
    if not event.contains(Session, "do_orm_execute", _bulk):
        event.listen(Session, "do_orm_execute", _bulk)
