"""Records that serve the API's guarantees rather than the domain."""

from django.db import models

from casework.crypto.fields import EncryptedTextField


class IdempotencyRecord(models.Model):
    """The first result of a create sent with an ``Idempotency-Key``.

    A fingerprint of the request is kept, and the first response (its status, body and the
    headers a client relies on) encrypted like every other personal field, since a body can
    name a client. A retry with the same key and the same body is answered with that response;
    with another body it is refused. Records are purged after a day."""

    principal = models.CharField(max_length=80)
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = EncryptedTextField(
        null=True, blank=True, help_text="The first response as JSON: status, headers, body."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["principal", "scope", "key"], name="idempotency_key_unique"
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class Heartbeat(models.Model):
    """When a part of the service outside the API was last seen: the beat scheduler (``beat``)
    and each worker (``worker:<its name>``). Written by the periodic heartbeat task, read by the
    operators' status page."""

    name = models.CharField(max_length=200, primary_key=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
