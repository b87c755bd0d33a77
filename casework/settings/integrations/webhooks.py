"""Webhooks: where deliveries may go, how long each attempt may take, how long they are retried
and when a subscription is paused. See README.md, "Configuration"."""

from django.core.exceptions import ImproperlyConfigured

from ..env import env

# Plain HTTP destinations are refused unless this is off (development only).
WEBHOOKS_REQUIRE_HTTPS = env.bool("WEBHOOKS_REQUIRE_HTTPS", default=True)
# Loopback destinations (127.0.0.0/8, ::1) for a receiver on the same machine: development and
# tests only. Private, link-local and metadata addresses are refused whatever this says.
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=False)
# Seconds one attempt may take, connecting and reading together.
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=5.0)
# How much of a receiver's answer is read (and then thrown away).
WEBHOOKS_RESPONSE_LIMIT_BYTES = env.int("WEBHOOKS_RESPONSE_LIMIT_BYTES", default=4096)
# Retries: exponential from the base, capped, with jitter, for as long as the window lasts.
WEBHOOKS_RETRY_BASE_SECONDS = env.float("WEBHOOKS_RETRY_BASE_SECONDS", default=30.0)
WEBHOOKS_RETRY_MAX_SECONDS = env.float("WEBHOOKS_RETRY_MAX_SECONDS", default=3600.0)
WEBHOOKS_RETRY_WINDOW_SECONDS = env.int("WEBHOOKS_RETRY_WINDOW_SECONDS", default=24 * 60 * 60)
# Failed attempts in a row, across the subscription's deliveries, before it is paused.
WEBHOOKS_PAUSE_AFTER_FAILURES = env.int("WEBHOOKS_PAUSE_AFTER_FAILURES", default=20)
# How long the previous secret keeps signing after a rotation.
WEBHOOKS_SECRET_OVERLAP_SECONDS = env.int("WEBHOOKS_SECRET_OVERLAP_SECONDS", default=24 * 60 * 60)
# The Celery queue deliveries go to (empty: the default queue). A queue of their own keeps a
# backlog to slow receivers from holding up reminders and messages.
WEBHOOKS_CELERY_QUEUE = env("WEBHOOKS_CELERY_QUEUE", default="")
# Builds what a delivery carries, from the receiving organisation's own view (the API layer's
# selectors and serializers; the domain never imports the API, so it is named here).
WEBHOOKS_PAYLOAD_BUILDER = "api.webhooks.payloads.build_payload"

if WEBHOOKS_TIMEOUT_SECONDS <= 0 or WEBHOOKS_RETRY_BASE_SECONDS <= 0:
    raise ImproperlyConfigured("Webhook timeouts and retry delays must be positive.")
if WEBHOOKS_PAUSE_AFTER_FAILURES < 1:
    raise ImproperlyConfigured("WEBHOOKS_PAUSE_AFTER_FAILURES must be at least 1.")
