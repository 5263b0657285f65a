"""The tenancy gate: the one place where data is scoped to the signed-in user's organisation.

Every ORM SELECT passes through `_scope_selects`, which adds a WHERE on `org_id` for every
tenant-owned model (`TenantScoped`) according to the request's scope:

- an enterprise user sees only rows of their own organisation (and the authority's profile);
- an authority user (regulator, platform admin, city viewer) sees every organisation, read-only;
- an anonymous request sees no tenant-owned rows at all, except through `public_lookup()`.

Every flush passes through `_guard_writes`, which refuses to write a row of another
organisation. An authority user writes across tenants only inside `cross_tenant_write()`,
which the few views that need it (onboarding, review actions, password resets) name explicitly.

Views therefore never filter by organisation themselves: they call `get_or_404()` or run
a plain `select()`, and another tenant's row is a 404, like a missing one.
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import wraps

from flask import Flask, abort, g, has_app_context
from flask_login import current_user
from sqlalchemy import ForeignKey, event, false, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, with_loader_criteria

from app.extensions import db


class TenantScoped:
    """Mixin for every table whose rows belong to one organisation."""

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)


class TenantViolation(Exception):
    """A write to another organisation's data was attempted outside an allowed path."""


@dataclass(frozen=True)
class Scope:
    kind: str  # "org", "city" or "deny"
    org_id: int | None = None

    @classmethod
    def for_user(cls, user) -> Scope:
        if user is None or not user.is_authenticated:
            return cls("deny")
        if user.organisation.kind == "authority":
            return cls("city", user.org_id)
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


def get_or_404(model, obj_id):
    """Load a row by id through the gate: another tenant's row and a missing one are both 404."""
    obj = db.session.scalar(select(model).where(model.id == obj_id))
    if obj is None:
        abort(404)
    return obj


def require_role(*roles: str):
    """Declare on a route which roles may use it; anyone else gets 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


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
    execute_state.statement = execute_state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.org_id == org_id, include_aliases=True),
        # An enterprise also sees the authority's profile (who reviews it), nothing of other enterprises.
        with_loader_criteria(Organisation, lambda cls: or_(cls.id == org_id, cls.kind == "authority"),
                             include_aliases=True),
    )


def _guard_writes(session: Session, flush_context, instances) -> None:
    scope = current_scope()
    if scope is None or g.get("_tenancy_cross_write"):
        return
    from app.organisations.models import Organisation

    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if getattr(obj, "tenancy_write_guard", True) is False:
            continue
        if isinstance(obj, Organisation):
            owner = obj.id
        elif isinstance(obj, TenantScoped):
            owner = obj.org_id
        else:
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
