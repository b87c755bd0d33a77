"""Secrets and signatures, by the Standard Webhooks specification (the ``standardwebhooks``
library): ``whsec_`` and 32 random bytes in base64; each delivery signed with every secret in
force, so a receiver still on the previous secret during a rotation's overlap verifies it too."""

import base64
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105  (the format's prefix, not a secret)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(
    *, message_id: str, body: str, secrets_in_force: Iterable[str], at: datetime | None = None
) -> dict[str, str]:
    """The ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` headers of one
    attempt; the signature header holds one ``v1,<signature>`` per secret, space-separated."""
    moment = (at or datetime.now(tz=UTC)).astimezone(UTC)
    signatures = [
        Webhook(secret).sign(msg_id=message_id, timestamp=moment, data=body)
        for secret in secrets_in_force
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
