"""flask demo-data: load the demo city 锦湾市 through the services, skipping what already exists."""
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import click
from sqlalchemy import select

from app.accounting import services as register_services
from app.accounting.models import Facility, Product
from app.accounts.models import Invitation, User
from app.accounts.roles import ENERGY_MANAGER
from app.accounts.services import create_invitation
from app.assets import services as asset_services
from app.assets.models import AssetEntry
from app.audit.services import record, save_checkpoint, verify_chain
from app.city_data import services as city_data
from app.core.types import city_date, utcnow
from app.demo import activity, city, city_stats, sector_activity
from app.demo import assets as demo_assets
from app.demo import certificates as demo_certificates
from app.demo import lab_reports as demo_lab_reports
from app.demo import plans as demo_plans
from app.demo import verification as demo_verification
from app.extensions import db
from app.filings.calculations import load_library
from app.filings.conversation import add_comment
from app.filings.models import (
    APPROVED,
    RETURNED,
    SUBMITTED,
    Calculation,
    Filing,
    ReviewComment,
)
from app.filings.services import latest_filing, open_filing, set_activity
from app.filings.workflow import return_filing
from app.footprint import services as footprint_services
from app.notifications.delivery import not_mailed
from app.organisations.models import AUTHORITY, Organisation
from app.organisations.services import create_authority, register_enterprise
from app.security import hash_password
from app.settings.services import engine_settings
from app.signing.services import freeze


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Do nothing if any organisation already exists.")
def demo_data(if_empty):
    """Load the demo city (idempotent)."""
    if if_empty and db.session.scalar(select(Organisation.id).limit(1)) is not None:
        click.echo("Organisations already exist: demo data not loaded.")
        return
    loader = DemoLoader()
    with not_mailed():  # the demo's notices are history, for people who do not exist
        for seed in city.timeline(utcnow()):
            loader.apply(seed)
        demo_verification.load(loader.counts, loader.password_hash)
        demo_certificates.load(loader.counts)
        demo_plans.load(loader.counts)
        db.session.commit()
    # As the nightly `flask audit verify` would: the audit page then checks only what happens from now on.
    save_checkpoint(verify_chain())
    db.session.commit()
    _echo_summary(loader.counts)


class DemoLoader:
    """Replays the seeds; keys are credit codes and e-mails, so a second run only skips."""

    def __init__(self):
        self.orgs = {org.credit_code: org for org in db.session.scalars(select(Organisation))}
        self.users = {user.email: user for user in db.session.scalars(select(User))}
        self.created_users = set()
        self.counts = Counter()
        self._password_hash = None
        self.registers = {}  # org id -> (sources by name, products by name)
        self.library = load_library()
        self.settings = engine_settings()

    def apply(self, seed) -> None:
        if isinstance(seed, city.CityDataSeed):
            return self.city_data(seed)
        handler = {city.OrgSeed: self.org, city.UserSeed: self.user,
                   city.InvitationSeed: self.invitation, city.SignInSeed: self.sign_in,
                   city.RegisterSeed: self.register, city.FilingSeed: self.filing,
                   city.AssetSeed: self.asset}[type(seed)]
        handler(seed)

    def org(self, seed: city.OrgSeed) -> None:
        if seed.credit_code in self.orgs:
            self.counts["organisations present"] += 1
            return
        if seed.kind == AUTHORITY:
            org = create_authority(now=seed.at, **seed.fields)
        else:
            org = register_enterprise(self.users["regulator@jinwan.gov.cn"], seed.fields, now=seed.at)
        self.orgs[org.credit_code] = org
        self.counts["organisations created"] += 1

    def user(self, seed: city.UserSeed) -> None:
        if seed.email in self.users:
            self.counts["users present"] += 1
            return
        # Built directly rather than by create_user: one password hash for all keeps the command fast.
        user = User(org_id=self.orgs[seed.credit_code].id, email=seed.email, name=seed.name, role=seed.role,
                    password_hash=self.password_hash, password_changed_at=seed.at, created_at=seed.at,
                    may_sign=seed.role == ENERGY_MANAGER)  # the demo's energy managers sign their months
        db.session.add(user)
        db.session.flush()
        record("user.created", actor=self.users.get(seed.created_by), obj=user,
               detail={"email": user.email, "role": user.role}, now=seed.at)
        self.users[user.email] = user
        self.created_users.add(user.email)
        self.counts["users created"] += 1

    def invitation(self, seed: city.InvitationSeed) -> None:
        org = self.orgs[seed.credit_code]
        invited = db.session.scalar(select(Invitation.id).where(Invitation.org_id == org.id,
                                                                Invitation.email == seed.email))
        if seed.email in self.users or invited is not None:
            self.counts["invitations present"] += 1
            return
        create_invitation(self.users[seed.invited_by], org, seed.email, seed.role, now=seed.at)
        self.counts["invitations created"] += 1

    def sign_in(self, seed: city.SignInSeed) -> None:
        if seed.email not in self.created_users:
            return  # an account that was already there keeps its own history
        user = self.users[seed.email]
        user.last_login_at = seed.at
        record("auth.signed_in", actor=user, obj=user, now=seed.at)

    def register(self, seed: city.RegisterSeed) -> None:
        org = self.orgs[seed.credit_code]
        if db.session.scalar(select(Facility.id).where(Facility.org_id == org.id).limit(1)) is not None:
            self.counts["registers present"] += 1
            return
        admin = self._admin(seed.slug)
        template = sector_activity.enterprise_template(seed.slug, seed.industry_code)
        sources, products = {}, {}
        for f in template.facilities:
            facility = register_services.create_facility(admin, org, {"name": f.name, "name_en": f.name_en}, now=seed.at)
            for spec in f.sources:
                capacity, per = activity.rated_capacity(seed.slug, spec)
                sources[spec.name] = register_services.create_source(admin, org, {
                    "facility_id": facility.id, "name": spec.name, "category": spec.category,
                    "material": spec.material, "activity_unit": spec.unit, "covered": spec.covered,
                    "rated_capacity": capacity, "rated_capacity_per": per, "method": spec.method}, now=seed.at)
        for i, p in enumerate(template.products):
            products[p.name] = register_services.create_product(
                admin, org, {"name": p.name, "name_en": p.name_en, "unit": p.unit, "is_main": i == 0}, now=seed.at)
        self.registers[org.id] = (sources, products)
        self.counts["registers created"] += 1

    def filing(self, seed: city.FilingSeed) -> None:
        org = self.orgs[seed.credit_code]
        plan = seed.plan
        if org.id not in self.registers or latest_filing(org.id, plan.period) is not None:
            self.counts["filings present"] += 1
            return
        sources, products = self.registers[org.id]
        data = activity.month_data(seed.slug, sector_activity.enterprise_template(seed.slug, seed.industry_code),
                                   plan.period)
        manager = self._user(f"energy@{seed.slug}.com.cn")
        filing = open_filing(manager, org, plan.period, now=plan.saved_at)
        set_activity(manager, filing,
                     [{"source_id": sources[spec.name].id, "quantity": quantity, "unit": spec.unit,
                       "measured": measured, "green_mwh": green, "parameters": parameters}
                      for spec, quantity, measured, green, parameters in data.lines],
                     [{"product_id": products[p.name].id, "quantity": q} for p, q in data.production],
                     data.output_value, library=self.library, settings=self.settings, now=plan.saved_at)
        # A generating unit's coal carries the month's laboratory report, attached while the month is a draft.
        for line in filing.lines:
            if line.source.method == "power_coal" and demo_lab_reports.attach(manager, filing, line, plan.saved_at):
                self.counts["lab reports attached"] += 1
        # The review workflow (submit, approve, return) replays as it happened, with its own times.
        if plan.submitted_at:
            filing.status, filing.submitted_at, filing.submitted_by_id = SUBMITTED, plan.submitted_at, manager.id
            record("filing.submitted", actor=manager, obj=filing, detail={"period": plan.period.isoformat()},
                   now=plan.submitted_at)
            # Signed as on the web: a copy of record and a receipt (its notifications already read).
            freeze(filing, manager, plan.submitted_at, notified_read=True)
            self.counts["copies of record created"] += 1
        if plan.reviewed_at and plan.status == RETURNED:
            # Returned as on the web, with a comment on the filing and one on its first line; the energy manager
            # answers the line's a few hours later. Both sides' inboxes get what a real month gives them.
            line = filing.lines[0]
            return_filing(self.users["regulator@jinwan.gov.cn"], filing, plan.comment,
                          {line.source_id: activity.LINE_COMMENT}, now=plan.reviewed_at)
            asked = db.session.scalar(select(ReviewComment.id).where(ReviewComment.filing_id == filing.id,
                                                                     ReviewComment.source_id == line.source_id))
            add_comment(manager, filing, activity.LINE_REPLY, line.source_id, asked,
                        now=plan.reviewed_at + timedelta(hours=4))
        elif plan.reviewed_at:
            regulator = self.users["regulator@jinwan.gov.cn"]
            filing.status = plan.status
            filing.reviewed_at, filing.reviewed_by_id, filing.review_comment = plan.reviewed_at, regulator.id, \
                plan.comment
            record(f"filing.{plan.status}", actor=regulator, obj=filing,
                   detail={"period": plan.period.isoformat(), **({"comment": plan.comment} if plan.comment else {})},
                   now=plan.reviewed_at)
        self.counts["filings created"] += 1

    def asset(self, seed: city.AssetSeed) -> None:
        """A ledger movement, sized from the filings stored so far (see app/demo/assets.py)."""
        org, plan = self.orgs.get(seed.credit_code), seed.plan
        if org is None:
            return
        present = db.session.scalars(select(AssetEntry.id).where(AssetEntry.org_id == org.id,
                                                                 AssetEntry.reason.in_(plan.reasons))).all()
        if present:
            self.counts["ledger entries present"] += len(present)
            return
        actor = self.users["regulator@jinwan.gov.cn"] if plan.by_regulator else self._admin(seed.slug)
        if actor is None:
            return
        if plan.kind == "reversal":
            target = db.session.scalar(select(AssetEntry).where(AssetEntry.org_id == org.id,
                                                                AssetEntry.reason == plan.target))
            if target is not None and asset_services.reversal_of(target) is None:
                asset_services.reverse(actor, target, plan.reason, now=plan.at)
                self.counts["ledger entries created"] += 1
            return
        data = {"instrument": plan.instrument, "compliance_year": plan.compliance_year, "price": plan.price,
                "counterparty": plan.counterparty, "offset_type": plan.offset_type, "project_id": plan.project_id,
                "vintage": plan.vintage, "trade_date": city_date(plan.at), "reason": plan.reason}
        if plan.basis == "settle":
            position = asset_services.compliance_position(org, plan.compliance_year)
            offsets, allowances = demo_assets.settle_split(position.verified_t, position.offset_cap_t,
                                                           position.offsets_held_t, position.allowances_held_t)
            for holding, balance in asset_services.holdings(org.id).items():  # the offsets, lot by lot
                if holding.instrument != "offset" or balance <= 0 or offsets <= 0:
                    continue
                take = min(balance, offsets)
                offsets -= take
                asset_services.record_entry(actor, org, "surrender", {
                    **data, "instrument": "offset", "offset_type": holding.offset_type,
                    "project_id": holding.project_id, "vintage": holding.vintage, "quantity": take,
                    "reason": demo_assets.offsets_reason(plan.reason)}, now=plan.at)
                self.counts["ledger entries created"] += 1
            quantity = allowances
        else:
            quantity = self._asset_quantity(org, plan)
        if quantity and quantity > 0:  # nothing to buy, sell or allocate: the movement did not happen
            asset_services.record_entry(actor, org, plan.kind, {**data, "quantity": quantity}, now=plan.at)
            self.counts["ledger entries created"] += 1

    @staticmethod
    def _asset_quantity(org, plan) -> Decimal | None:
        year = plan.compliance_year or plan.at.year - 1  # offsets bought are sized on last year's emissions
        if plan.basis == "verified":
            verified = sum((m.verified_t for m in footprint_services.verified_by_month(org.id, year) if m.counted),
                           Decimal(0))
            return demo_assets.whole_tonnes(verified * plan.share)
        if plan.basis == "estimate":
            for basis_year in (plan.at.year - 1, plan.at.year):
                months = footprint_services.verified_by_month(org.id, basis_year)
                counted = [m.verified_t for m in months if m.counted]
                if len(counted) >= (6 if basis_year < plan.at.year else 1):
                    return demo_assets.whole_tonnes(sum(counted, Decimal(0)) * 12 / len(counted) * plan.share)
            return None
        balance = asset_services.compliance_position(org, year).balance_t
        if plan.basis == "shortfall":
            return demo_assets.whole_tonnes(-balance * plan.share, up=True) if balance < 0 else None
        return demo_assets.whole_tonnes(balance * plan.share) if balance > 0 else None

    def city_data(self, seed: city.CityDataSeed) -> None:
        """Statistics, sinks, one settings version and the product benchmarks; what exists is kept."""
        regulator = self.users.get("regulator@jinwan.gov.cn")
        rows = city_stats.yearly_statistics(seed.last_year)
        for row in rows:
            if city_data.statistic_for(row["year"], 0) is None:
                city_data.upsert_statistic(regulator, row, now=seed.at)
                self.counts["city statistics created"] += 1
            else:
                self.counts["city statistics present"] += 1
        present = {s.name for s in city_data.sinks()}
        for name, kind, area, rate, from_year in city_stats.SINKS:
            if name in present:
                self.counts["carbon sinks present"] += 1
                continue
            city_data.add_sink(regulator, {"name": name, "kind": kind, "area_ha": area, "rate_tco2_per_ha_year": rate,
                                           "from_year": from_year, "source": city_stats.SINK_SOURCE}, now=seed.at)
            self.counts["carbon sinks created"] += 1
        if not city_data.settings_versions():
            values, note = city_stats.index_settings(rows[0], self._scope1_per_year())
            city_data.publish_settings(regulator, values, date(city_stats.FIRST_YEAR, 1, 1), note, now=seed.at)
        for slug, product_name, code in city_stats.PRODUCT_BENCHMARKS:
            slugs = [row[0] for row in city.ENTERPRISES + city.NEW_ENTERPRISES]
            org = self.orgs.get(city.enterprise_code(slugs.index(slug))) if slug in slugs else None
            product = org and db.session.scalar(select(Product).where(Product.org_id == org.id,
                                                                      Product.name == product_name))
            if product is not None and product.benchmark_code is None:
                register_services.map_product(regulator, product, code, now=seed.at)

    @staticmethod
    def _scope1_per_year() -> Decimal:
        """Approved scope-1 emissions of the demo's filings, as a yearly rate (months filed × 12 / months)."""
        rows = db.session.execute(select(Filing.period, Calculation.scope1_tco2e).join(
            Calculation, Calculation.filing_id == Filing.id).where(
            Filing.status == APPROVED, Calculation.is_current.is_(True))).all()
        months = {period for period, _t in rows}
        if not months:
            return Decimal(0)
        return sum((Decimal(t) for _p, t in rows), Decimal(0)) * 12 / len(months)

    def _admin(self, slug: str) -> User:
        return self._user(f"admin@{slug}.com.cn")

    def _user(self, email: str) -> User | None:
        return self.users.get(email)

    @property
    def password_hash(self) -> str:
        if self._password_hash is None:
            self._password_hash = hash_password(city.PASSWORD)
        return self._password_hash


def _echo_summary(counts: Counter) -> None:
    for thing in ("organisations", "users", "invitations", "registers", "filings", "ledger entries"):
        click.echo(f"{thing}: {counts[thing + ' created']} created, {counts[thing + ' present']} already present")
    for thing in ("city statistics", "carbon sinks", "verifications", "certificates", "monitoring plans"):
        click.echo(f"{thing}: {counts[thing + ' created']} created, {counts[thing + ' present']} already present")
    click.echo(f"\nDemo sign-ins (password {city.PASSWORD}):")
    for email, role, org in city.demo_sign_ins():
        click.echo(f"  {email:<28} {role:<17} {org}")
