"""Records that serve the API's guarantees rather than the domain."""

from django.db import models


class IdempotencyRecord(models.Model):
    """The first result of a create sent with an ``Idempotency-Key``.

    Only a fingerprint of the request and the id of what it created are kept (no request or
    response body, which could hold personal data in plaintext). A retry with the same key and
    the same body is answered with the same resource; with another body it is refused."""

    principal = models.CharField(max_length=80)
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    resource_id = models.UUIDField(null=True, blank=True)
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
