"""The tenancy gate: the one place where data is scoped to the signed-in user's organisation.

Every ORM SELECT passes through `_scope_selects`, which adds a WHERE on `org_id` for every
tenant-owned model (`TenantScoped`) according to the request's scope:

- an enterprise user sees only rows of their own organisation (and the authority's profile);
- an authority user (regulator, platform admin, city viewer) sees every organisation, read-only;
- an anonymous request sees no tenant-owned rows at all, except through `public_lookup()`;
- a verifier user (an accredited verification body) sees its own body's rows and, read-only, the filings
  of the enterprise-years the regulator assigned to it (`VERIFIABLE`), and nothing else.

Every flush passes through `_guard_writes`, which refuses to write a row of another
organisation. An authority user writes across tenants only inside `cross_tenant_write()`,
which the few views that need it (onboarding, review actions, password resets) name explicitly.

Views therefore never filter by organisation themselves: they call `get_or_404()` or run
a plain `select()`, and another tenant's row is a 404, like a missing one.
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from flask import Flask, abort, g, has_app_context
from flask_login import current_user
from sqlalchemy import ForeignKey, and_, event, exists, extract, false, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, with_loader_criteria

from app.extensions import db


class TenantScoped:
    """Mixin for every table whose rows belong to one organisation."""

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)


class CityWide:
    """Mixin for the city's own tables (factors, settings, statistics, sinks, benchmarks, scenarios, the
    audit head): everyone signed in may read them, only the authority writes them (`_guard_writes`)."""


class TenantViolation(Exception):
    """A write to another organisation's data was attempted outside an allowed path."""


@dataclass(frozen=True)
class Scope:
    kind: str  # "org", "city", "verifier" or "deny"
    org_id: int | None = None

    @classmethod
    def for_user(cls, user) -> Scope:
        if user is None or not user.is_authenticated:
            return cls("deny")
        if user.organisation.kind == "authority":
            return cls("city", user.org_id)
        if user.organisation.kind == "verifier":
            return cls("verifier", user.org_id)
        return cls("org", user.org_id)


def current_scope() -> Scope | None:
    """The scope in force, or None outside requests (CLI, background work): no filter."""
    if not has_app_context():
        return None
    return g.get("_tenancy_scope")


@contextmanager
def scope_of(user_or_scope):
    """Run a block as a given user would, e.g. in services called from the CLI or tests."""
    scope = user_or_scope if isinstance(user_or_scope, Scope) else Scope.for_user(user_or_scope)
    previous = g.get("_tenancy_scope")
    g._tenancy_scope = scope
    try:
        yield scope
    finally:
        g._tenancy_scope = previous


@contextmanager
def public_lookup():
    """Unscoped reads and writes for the few anonymous flows (sign-in, invitation acceptance)."""
    previous = g.get("_tenancy_scope")
    g._tenancy_scope = None
    try:
        yield
    finally:
        g._tenancy_scope = previous


@contextmanager
def cross_tenant_write():
    """An authority user acting on an enterprise's data (onboarding, review, resets)."""
    scope = current_scope()
    if scope is not None and scope.kind != "city":
        raise TenantViolation("only authority users may write across organisations")
    with _allow_writes():
        yield


def acting_on(org_id: int):
    """Writes for `org_id`: plain at home, a cross-tenant write (authority only) elsewhere."""
    scope = current_scope()
    if scope is None or scope.org_id == org_id:
        return nullcontext()
    return cross_tenant_write()


@contextmanager
def _allow_writes():
    previous = g.get("_tenancy_cross_write", False)
    g._tenancy_cross_write = True
    try:
        yield
    finally:
        g._tenancy_cross_write = previous


@contextmanager
def notifying():
    """Notifications for another organisation's people (a workflow step telling the other side): only
    Notification rows may be written across organisations inside this block, nothing else."""
    previous = g.get("_tenancy_notifying", False)
    g._tenancy_notifying = True
    try:
        yield
    finally:
        g._tenancy_notifying = previous


def unscoped(reason: str) -> dict:
    """Execution options for a deliberate read past the gate; every bypass is one `unscoped(` to search for.

        select(Filing).execution_options(**unscoped("the city's totals sum every enterprise"))
    """
    if not reason or not reason.strip():
        raise ValueError("unscoped() needs the reason the gate may be bypassed here")
    return {"tenancy_bypass": reason}


@contextmanager
def writing_city_wide(reason: str):
    """Let a service write a city-wide row on behalf of anyone (the audit chain's head); says why."""
    if not reason or not reason.strip():
        raise ValueError("writing_city_wide() needs a reason")
    if not has_app_context():
        yield
        return
    previous = g.get("_tenancy_city_wide", False)
    g._tenancy_city_wide = True
    try:
        yield
    finally:
        g._tenancy_city_wide = previous


def get_or_404(model, obj_id):
    """Load a row by id through the gate: another tenant's row and a missing one are both 404."""
    obj = db.session.scalar(select(model).where(model.id == obj_id))
    if obj is None:
        abort(404)
    return obj


# --- the verifier's window ------------------------------------------------------------------------
# What a verification body reads of an enterprise it is assigned to (for one compliance year), by table,
# and how a row reaches (org_id, year): "period" = the filing itself (its org and the year of its month),
# "filing" = a child row of an allowed filing, "calculation" = a line of an allowed filing's calculation,
# "org" = the enterprise's register (sources, facilities, products) while any engagement with it is active.
# A TenantScoped table not listed gives the verifier its own body's rows only; one that carries a
# `verifier_org_id` (engagements, findings) gives the rows of its own active engagements.
VERIFIABLE = {
    "filings": "period",
    "filing_lines": "filing",
    "production_lines": "filing",
    "calculations": "filing",
    "evidence": "filing",
    "lab_reports": "filing",
    "review_comments": "filing",
    "copies_of_record": "filing",
    "calculation_lines": "calculation",
    "emission_sources": "org",
    "facilities": "org",
    "products": "org",
}


def _engagements():
    return db.metadata.tables["verification_engagements"].alias("v_eng")


def _active(eng, verifier_org_id):
    return and_(eng.c.verifier_org_id == verifier_org_id, eng.c.withdrawn_at.is_(None))


def _assigned_orgs(verifier_org_id):
    eng = _engagements()
    return select(eng.c.org_id).where(_active(eng, verifier_org_id)).correlate(None)


def _allowed_filings(verifier_org_id):
    eng, filings = _engagements(), db.metadata.tables["filings"].alias("v_fil")
    return (select(filings.c.id)
            .select_from(filings.join(eng, and_(eng.c.org_id == filings.c.org_id,
                                                eng.c.year == extract("year", filings.c.period))))
            .where(_active(eng, verifier_org_id)).correlate(None))


def _verifier_criterion(cls, verifier_org_id):
    table = getattr(cls, "__tablename__", None)  # None for the mixin itself, when the lambda is first analysed
    reach = VERIFIABLE.get(table)
    if reach == "period":
        eng = _engagements()
        return or_(cls.org_id == verifier_org_id, exists().where(
            eng.c.org_id == cls.org_id, eng.c.year == extract("year", cls.period), _active(eng, verifier_org_id)))
    if reach == "filing":
        return cls.filing_id.in_(_allowed_filings(verifier_org_id))
    if reach == "calculation":
        calcs = db.metadata.tables["calculations"].alias("v_calc")
        return cls.calculation_id.in_(select(calcs.c.id).where(calcs.c.filing_id.in_(
            _allowed_filings(verifier_org_id))).correlate(None))
    if reach == "org":
        return cls.org_id.in_(_assigned_orgs(verifier_org_id))
    if hasattr(cls, "verifier_org_id"):
        if table == "verification_engagements":
            return and_(cls.verifier_org_id == verifier_org_id, cls.withdrawn_at.is_(None))
        eng = _engagements()
        return cls.engagement_id.in_(select(eng.c.id).where(_active(eng, verifier_org_id)).correlate(None))
    return cls.org_id == verifier_org_id


def _scope_selects(execute_state) -> None:
    if not execute_state.is_select or execute_state.execution_options.get("tenancy_bypass"):
        return
    scope = current_scope()
    if scope is None or scope.kind == "city":
        return
    from app.organisations.models import Organisation

    if scope.kind == "deny":
        execute_state.statement = execute_state.statement.options(
            with_loader_criteria(TenantScoped, lambda cls: false(), include_aliases=True),
            with_loader_criteria(Organisation, lambda cls: false(), include_aliases=True),
        )
        return
    org_id = scope.org_id
    if scope.kind == "verifier":
        execute_state.statement = execute_state.statement.options(
            with_loader_criteria(TenantScoped, lambda cls: _verifier_criterion(cls, org_id), include_aliases=True),
            # Its own body, the authority, and the enterprises it is assigned to now.
            with_loader_criteria(Organisation, lambda cls: or_(cls.id == org_id, cls.kind == "authority",
                                                               cls.id.in_(_assigned_orgs(org_id))),
                                 include_aliases=True),
        )
        return
    execute_state.statement = execute_state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.org_id == org_id, include_aliases=True),
        # An enterprise also sees the authority's profile (who reviews it) and the accredited verification
        # bodies' profiles (who may verify it), nothing of other enterprises.
        with_loader_criteria(Organisation, lambda cls: or_(cls.id == org_id, cls.kind.in_(("authority", "verifier"))),
                             include_aliases=True),
    )


def _guard_writes(session: Session, flush_context, instances) -> None:
    scope = current_scope()
    if scope is None or g.get("_tenancy_cross_write"):
        return
    from app.organisations.models import Organisation

    assigned = None
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, CityWide):
            if scope.kind != "city" and not g.get("_tenancy_city_wide"):
                raise TenantViolation(f"{type(obj).__name__} is the city's; only the authority writes it")
            continue
        if getattr(obj, "tenancy_write_guard", True) is False:
            continue
        if g.get("_tenancy_notifying") and type(obj).__name__ == "Notification" and obj in session.new:
            continue
        if isinstance(obj, Organisation):
            owner = obj.id
        elif isinstance(obj, TenantScoped):
            owner = obj.org_id
        else:
            continue
        if (scope.kind == "verifier" and owner != scope.org_id and obj not in session.deleted
                and getattr(obj, "verifier_org_id", None) == scope.org_id):
            # The verifier's own rows about an enterprise (findings, its opinion): only while assigned to it.
            if assigned is None:
                eng = db.metadata.tables["verification_engagements"]
                assigned = set(session.execute(select(eng.c.org_id).where(_active(eng, scope.org_id)),
                                               execution_options=unscoped("the verifier's own engagements")).scalars())
            if owner in assigned:
                continue
        if scope.kind == "deny" or owner != scope.org_id:
            raise TenantViolation(f"{type(obj).__name__} {getattr(obj, 'id', None)} belongs to organisation "
                                  f"{owner}, not to the acting user's organisation {scope.org_id}")


def _set_request_scope() -> None:
    # Resolving current_user runs the user loader (unscoped); then the scope follows from it.
    g._tenancy_scope = Scope.for_user(current_user)


def init_app(app: Flask) -> None:
    # Listeners are process-wide (on the Session class); add them once however many apps are made.
    if not event.contains(Session, "do_orm_execute", _scope_selects):
        event.listen(Session, "do_orm_execute", _scope_selects)
        event.listen(Session, "before_flush", _guard_writes)
    app.before_request(_set_request_scope)
