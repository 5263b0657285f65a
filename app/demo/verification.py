"""Demo verification: the city's accredited body 锦湾碳核查中心 with two verifiers; last year verified and
confirmed at a few enterprises with twelve approved months, and one verification in progress with an open
finding. Through the services, dates relative to today; skips what exists (idempotent)."""
from datetime import date, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.audit.services import record
from app.certificates.services import approved_year_complete
from app.core.types import city_today, utcnow
from app.extensions import db
from app.organisations.models import Organisation
from app.verification import services
from app.verification.models import Engagement

BODY = {"name": "锦湾碳核查中心", "name_en": "Jinwan Carbon Verification Centre",
        "accreditation_no": "CNCA-HC-2024-017", "contact_email": "office@jwcv.org.cn"}
VERIFIERS = (("li.hecha@jwcv.org.cn", "李核查"), ("zhou.shen@jwcv.org.cn", "周审"))
CONFIRMED = 3  # enterprises whose last year is verified and confirmed; the next one is in progress


def sign_ins() -> list[tuple[str, str, str]]:
    return [(email, "verifier", BODY["name"]) for email, _name in VERIFIERS]


def load(counts, password_hash: str) -> None:
    regulator = db.session.scalar(select(User).where(User.role == "regulator").order_by(User.id))
    if regulator is None:
        return
    now = utcnow()
    body = db.session.scalar(select(Organisation).where(Organisation.accreditation_no == BODY["accreditation_no"]))
    if body is None:
        body = services.register_body(regulator, BODY, now=now - timedelta(days=90))
        counts["verification bodies created"] += 1
    verifiers = []
    for email, name in VERIFIERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(org_id=body.id, email=email, name=name, role="verifier", password_hash=password_hash,
                        password_changed_at=now - timedelta(days=89), created_at=now - timedelta(days=89))
            db.session.add(user)
            db.session.flush()
            record("user.created", actor=regulator, obj=user, detail={"email": email, "role": "verifier"},
                   now=now - timedelta(days=89))
            counts["users created"] += 1
        verifiers.append(user)
    year = city_today().year - 1
    start, end = date(year, 1, 1), date(year, 12, 1)
    chosen = []
    for org in db.session.scalars(select(Organisation).where(Organisation.kind == "enterprise")
                                  .order_by(Organisation.id)):
        if len(chosen) == CONFIRMED + 1:
            break
        if approved_year_complete(org.id, start, end):
            chosen.append(org)
    for i, org in enumerate(chosen):
        if db.session.scalar(select(Engagement.id).where(Engagement.org_id == org.id, Engagement.year == year)):
            counts["verifications present"] += 1
            continue
        verifier = verifiers[i % len(verifiers)]
        engagement = services.assign(regulator, org, body, year, now=now - timedelta(days=75 - i))
        if i < CONFIRMED:
            finding = services.raise_finding(verifier, engagement, {
                "month": 2 + i, "severity": "observation",
                "text": "演示：计量器具检定证书即将到期，建议按期送检。"}, now=now - timedelta(days=45 - i))
            services.answer_finding(org.users[0] if org.users else regulator, finding,
                                    "演示：已安排下月送检。", now=now - timedelta(days=40 - i))
            services.close_finding(verifier, finding, "resolved", now=now - timedelta(days=35 - i))
            total, _months = services.reported_total(org.id, year)
            services.issue_opinion(verifier, engagement, "verified" if i % 2 == 0 else "verified_with_comments",
                                   total, "演示：年度排放报告在所有重大方面公允反映了排放情况。",
                                   now=now - timedelta(days=20 - i))
            services.confirm(regulator, engagement, now=now - timedelta(days=10 - i))
        else:
            services.raise_finding(verifier, engagement, {
                "month": 3, "severity": "misstatement", "amount_tco2e": "-120.5",
                "text": "演示：三月份外购电力用量低于电费发票所列数量，少报约 120.5 tCO2e。"},
                now=now - timedelta(days=5))
        counts["verifications created"] += 1
