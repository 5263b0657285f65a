"""Sending e-mail: SMTP when MAIL_SERVER is set, else each message written to the log (logger tanji.mail).

Standard library only (smtplib, email). Sending never raises to the caller: the data it reports on is already
committed, so a mail server that is down is logged, not turned into an error page.
"""
import logging
import smtplib
import sys
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import Flask, current_app

logger = logging.getLogger("tanji.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def send(mails: list[Mail]) -> int:
    """Send the messages over one SMTP connection; the number delivered to the server (or logged)."""
    if not mails:
        return 0
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        for mail in mails:
            logger.info("E-mail not sent (no MAIL_SERVER set) to %s\nSubject: %s\n\n%s", mail.to, mail.subject,
                        mail.body)
        return len(mails)
    sent = 0
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            for mail in mails:
                try:
                    smtp.send_message(_message(mail, config))
                    sent += 1
                except smtplib.SMTPRecipientsRefused:
                    logger.warning("E-mail to %s refused by %s", mail.to, config["MAIL_SERVER"])
    except (OSError, smtplib.SMTPException):
        logger.exception("E-mail: %d of %d messages not sent through %s", len(mails) - sent, len(mails),
                         config["MAIL_SERVER"])
    return sent


def _message(mail: Mail, config) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((config.get("CITY_NAME", ""), config["MAIL_FROM"]))
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    message.set_content(mail.body)  # UTF-8, Chinese included
    return message


def init_app(app: Flask) -> None:
    # Without a mail server the log is where messages go, so it must be visible: INFO on stderr.
    # (A configured root logger, e.g. under gunicorn or pytest, receives them instead.)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
