"""The plug-ins that deliver a notification, chosen from the environment (``from_config``).

- ``log`` (the default for both kinds of recipient): the message goes to the app log, so a
  demo shows what would be sent and nothing leaves the machine;
- ``webhook`` for mobile numbers: an HTTP POST of JSON to an SMS gateway (NOTIFY_WEBHOOK_URL),
  signed with a shared secret (HMAC-SHA256 over the timestamp and the body), a 2xx answer
  within the timeout is success;
- ``smtp`` for e-mail addresses: smtplib, with STARTTLS unless turned off.

A channel's ``send`` returns when the gateway took the message and raises (any ``Exception``)
when it did not; ``hall.outbox`` records either and retries. Secrets (the webhook's, the SMTP
password) come only from the environment and are never written to the log or the outbox.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from typing import Protocol

from .privacy import mask_phone

log = logging.getLogger("hall.notifications")

SIGNATURE_HEADER = "X-Hall-Signature"
TIMESTAMP_HEADER = "X-Hall-Timestamp"
ERROR_KEPT = 500  # characters of a gateway's answer kept as the error


@dataclass(frozen=True)
class Message:
    """One notification as a channel sends it."""

    id: int
    kind: str
    recipient: str
    text: str
    dedupe_key: str   # the gateway's idempotency key: a retry of a message it took is the same
    hall: str         # the hall's name, the e-mail's sender name and subject


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> None: ...


class LogChannel:
    """Writes what would be sent to the app log: the recipient masked (the log is read by
    operators, not by the recipient), the text whole."""

    name = "log"

    def send(self, message: Message) -> None:
        shown = message.recipient if "@" in message.recipient else mask_phone(message.recipient)
        log.info("notification %s to %s (%s): %s", message.dedupe_key, shown, message.kind,
                 message.text)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What the gateway checks: ``sha256=`` and the hex HMAC of ``<timestamp>.<body>``. The
    timestamp is signed too, so an old request replayed later is seen for what it is."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class WebhookChannel:
    name = "webhook"

    def __init__(self, url: str, secret: str, timeout: float) -> None:
        self.url, self._secret, self.timeout = url, secret, timeout

    def send(self, message: Message) -> None:
        body = json.dumps({"id": message.dedupe_key, "to": message.recipient,
                           "text": message.text, "kind": message.kind},
                          ensure_ascii=False).encode()
        # The gateway compares the timestamp with its own clock: the real time, not the hall's.
        stamp = str(int(time.time()))
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.dedupe_key,
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: signature(self._secret, stamp, body)})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                status = answer.status
        except urllib.error.HTTPError as error:
            said = error.read(ERROR_KEPT).decode("utf-8", "replace")
            raise DeliveryFailed(f"HTTP {error.code}: {said}".strip()) from None
        except (urllib.error.URLError, OSError) as error:
            raise DeliveryFailed(f"gateway unreachable: {getattr(error, 'reason', error)}") \
                from None
        if not 200 <= status < 300:
            raise DeliveryFailed(f"HTTP {status}")


class SmtpChannel:
    name = "smtp"

    def __init__(self, host: str, port: int, sender: str, *, user: str = "",
                 password: str = "", starttls: bool = True, timeout: float = 10) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.user, self._password = user, password
        self.starttls, self.timeout = starttls, timeout

    def send(self, message: Message) -> None:
        mail = EmailMessage()
        mail["From"] = formataddr((message.hall, self.sender))
        mail["To"] = message.recipient
        mail["Subject"] = message.hall
        mail["Message-ID"] = f"<{message.dedupe_key.replace(':', '.')}@{self.host}>"
        mail.set_content(message.text)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self._password)
            smtp.send_message(mail)


class DeliveryFailed(Exception):
    """The gateway did not take the message; the text says why (no secret in it)."""


SMS_CHANNELS = ("log", "webhook")
EMAIL_CHANNELS = ("log", "smtp")


def from_config(config: Mapping) -> dict[str, Channel]:
    """The channel for each kind of recipient (``sms``, ``email``), from NOTIFY_SMS and
    NOTIFY_EMAIL and their settings; a setting that cannot work is refused at once
    (ValueError), not at the first message."""
    sms, email = config.get("NOTIFY_SMS", "log"), config.get("NOTIFY_EMAIL", "log")
    if sms not in SMS_CHANNELS:
        raise ValueError(f"NOTIFY_SMS={sms!r}: choose one of {', '.join(SMS_CHANNELS)}")
    if email not in EMAIL_CHANNELS:
        raise ValueError(f"NOTIFY_EMAIL={email!r}: choose one of {', '.join(EMAIL_CHANNELS)}")
    chosen: dict[str, Channel] = {"sms": LogChannel(), "email": LogChannel()}
    if sms == "webhook":
        url, secret = config.get("NOTIFY_WEBHOOK_URL", ""), config.get("NOTIFY_WEBHOOK_SECRET", "")
        if not url.startswith(("http://", "https://")):
            raise ValueError("NOTIFY_SMS=webhook needs NOTIFY_WEBHOOK_URL (http:// or https://)")
        if len(secret) < 16:
            raise ValueError("NOTIFY_SMS=webhook needs NOTIFY_WEBHOOK_SECRET (16 characters or "
                             "more), shared with the gateway, which checks the signature")
        chosen["sms"] = WebhookChannel(url, secret, float(config.get("NOTIFY_WEBHOOK_TIMEOUT", 10)))
    if email == "smtp":
        host, sender = config.get("NOTIFY_SMTP_HOST", ""), config.get("NOTIFY_SMTP_FROM", "")
        if not host or "@" not in sender:
            raise ValueError("NOTIFY_EMAIL=smtp needs NOTIFY_SMTP_HOST and NOTIFY_SMTP_FROM "
                             "(the sender's address)")
        chosen["email"] = SmtpChannel(
            host, int(config.get("NOTIFY_SMTP_PORT", 587)), sender,
            user=config.get("NOTIFY_SMTP_USER", ""),
            password=config.get("NOTIFY_SMTP_PASSWORD", ""),
            starttls=bool(config.get("NOTIFY_SMTP_STARTTLS", True)),
            timeout=float(config.get("NOTIFY_SMTP_TIMEOUT", 10)))
    return chosen
