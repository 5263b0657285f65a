"""Every stored Notification whose topic its user chose is e-mailed, once the transaction that wrote it commits.

Session events rather than calls, so that any code that adds a Notification (the workflow's receivers, signing,
verification, reminders, the conversation on a filing) e-mails without knowing about it:
- after each flush, the new Notification rows are noted on the session;
- before the commit, the mails are composed (recipient, language, choices read while SQL is still allowed);
- after the commit, they are sent; a rollback forgets them, so nothing is mailed that was not stored.
"""
from contextlib import contextmanager

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.public_url import public_base_url
from app.extensions import db
from app.notifications import mail
from app.notifications.models import EmailChoice, Notification
from app.notifications.services import TOPICS, link_of, message, topic_of
from app.organisations.models import Organisation
from app.tenancy import unscoped

PENDING, OUTBOX, QUIET = "_notifications_to_mail", "_notifications_outbox", "_notifications_not_mailed"


@contextmanager
def not_mailed():
    """Notices stored inside the block stay in the inbox and are not e-mailed: the demo city's history is made of
    notices to people who do not exist, which a configured mail server must never receive."""
    db.session.info[QUIET] = True
    try:
        yield
    finally:
        db.session.info.pop(QUIET, None)


def _noted(session, _flush_context) -> None:
    if session.info.get(QUIET):
        return
    new = [obj for obj in session.new if isinstance(obj, Notification)]
    if new:
        session.info.setdefault(PENDING, []).extend(new)


def _compose_before_commit(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer commit decides
    session.flush()  # what the commit would flush anyway, so that its notifications are noted too
    pending = [n for n in session.info.pop(PENDING, []) if inspect(n).persistent]
    if pending:
        session.info.setdefault(OUTBOX, []).extend(compose(session, pending))


def _send_after_commit(session) -> None:
    if session.in_nested_transaction():
        return
    outbox = session.info.pop(OUTBOX, None)
    if outbox:
        mail.send(outbox)


def _forget(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)
        session.info.pop(OUTBOX, None)


def compose(session, notifications: list[Notification]) -> list[mail.Mail]:
    """The e-mails of these notifications, for the users who chose their topic: two queries whatever the number."""
    user_ids = {n.user_id for n in notifications}
    readers = {user.id: (user, kind) for user, kind in session.execute(
        select(User, Organisation.kind).join(Organisation, Organisation.id == User.org_id)
        .where(User.id.in_(user_ids), User.active)
        .execution_options(**unscoped("the people a notification is for, to e-mail them")))}
    chosen = {(row.user_id, row.topic): row.email for row in session.scalars(
        select(EmailChoice).where(EmailChoice.user_id.in_(user_ids))
        .execution_options(**unscoped("the e-mail choices of the people notified")))}
    mails = []
    for notification in notifications:
        if notification.user_id not in readers:
            continue
        user, org_kind = readers[notification.user_id]
        topic = topic_of(notification.kind)
        if chosen.get((user.id, topic), TOPICS[topic][1]):
            mails.append(_mail(notification, user, org_kind))
    return mails


def _mail(notification: Notification, user, org_kind: str) -> mail.Mail:
    config = current_app.config
    with force_locale(user.locale if user.locale in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]):
        text = message(notification)
        lines = [gettext("Hello %(name)s,", name=user.name), "", text]
        comment = (notification.detail or {}).get("comment")
        if comment:
            lines.append(gettext("Comment: %(comment)s", comment=comment))
        link = link_of(notification, org_kind)
        if link:
            lines += ["", gettext("Open it: %(url)s", url=external_url(*link))]
        lines += ["", "--", gettext("%(city)s carbon reporting platform (Tanji). Choose which notices reach your "
                                    "e-mail: %(url)s", city=config["CITY_NAME"],
                                    url=external_url("notifications.settings", {}))]
        subject = gettext("[Tanji] %(message)s", message=text)
    return mail.Mail(user.email, subject, "\n".join(lines))


def external_url(endpoint: str, values: dict) -> str:
    """A page's address as the users reach it (PUBLIC_BASE_URL), built outside any request too."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return public_base_url() + path


def init_app(app) -> None:
    mail.init_app(app)
    # Listeners are process-wide (on the Session class); add them once however many apps are made.
    if not event.contains(Session, "after_flush", _noted):
        event.listen(Session, "after_flush", _noted)
        event.listen(Session, "before_commit", _compose_before_commit)
        event.listen(Session, "after_commit", _send_after_commit)
        event.listen(Session, "after_soft_rollback", _forget)
