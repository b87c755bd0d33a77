"""Request limits per caller: each person by account, each integration by API key, sign-in
attempts by address. Answers 429 with Retry-After.

The window is DRF's (the moments of the requests in the last period, oldest first), kept in a
Redis sorted set and checked and updated by one script: one round trip per request, where DRF's
own throttle reads the whole history and writes it back (two, and a lost update when two
requests of one caller race).

When Redis cannot be reached the limits are kept by each process on its own (``LocalWindows``):
the API stays up, a caller's limit is then per process rather than for the service, and the
fallback is logged at most once a minute. Nothing else a request does depends on the cache."""

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from redis.commands.core import Script
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from casework.accounts import principals

if TYPE_CHECKING:  # rest_framework.views imports the default throttles; avoid the cycle
    from rest_framework.views import APIView


# KEYS[1]: the window. ARGV: now, the moment before which requests no longer count, the limit,
# the window's lifetime in seconds, a member unique to this request. Answers nothing when the
# request is let through (and counted), else the moment of the oldest request still counted.
WINDOW_SCRIPT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
    redis.call('ZADD', KEYS[1], ARGV[1], ARGV[5])
    redis.call('EXPIRE', KEYS[1], ARGV[4])
    return false
end
return redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
"""
_script: list[Script] = []


def _window_script(client: Any) -> Script:
    """The script, made once: it is sent by its hash (EVALSHA), and in full only when a server
    has not seen it yet. Every call names the client it runs on."""
    if not _script:
        _script.append(Script(client, WINDOW_SCRIPT))
    return _script[0]


logger = logging.getLogger("casework.throttling")

# How often the fallback is logged while it lasts, and how many callers' windows a process keeps.
FALLBACK_LOG_SECONDS = 60
LOCAL_WINDOWS_MAX = 10_000


class LocalWindows:
    """The same sliding windows, kept in this process while the cache is unreachable."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, deque[float]] = {}
        self._last_logged = 0.0

    def check(self, key: str, *, now: float, duration: float, limit: int) -> float | None:
        """Counts a request and answers nothing if it is let through, else the moment of the
        oldest request still counted (as the script does)."""
        with self._lock:
            if len(self._windows) >= LOCAL_WINDOWS_MAX:
                self._forget_idle(now, duration)
            window = self._windows.setdefault(key, deque())
            while window and window[0] <= now - duration:
                window.popleft()
            if len(window) < limit:
                window.append(now)
                return None
            return window[0]

    def _forget_idle(self, now: float, duration: float) -> None:
        idle = [k for k, w in self._windows.items() if not w or w[-1] <= now - duration]
        for key in idle:
            del self._windows[key]
        if len(self._windows) >= LOCAL_WINDOWS_MAX:  # all busy: start afresh rather than grow
            self._windows.clear()

    def note_fallback(self, error: Exception) -> None:
        """Logs that limits are kept per process, at most once every ``FALLBACK_LOG_SECONDS``."""
        now = time.monotonic()
        with self._lock:
            if self._last_logged and now - self._last_logged < FALLBACK_LOG_SECONDS:
                return
            self._last_logged = now
        logger.warning(
            "throttle cache unreachable (%s); request limits are kept per process",
            type(error).__name__,
        )


LOCAL_WINDOWS = LocalWindows()


class _SettingsRate(SimpleRateThrottle):
    """Reads its rate when used, so a changed setting applies without a restart of the class."""

    # Set by DRF's constructor from the rate, and by ``allow_request``.
    num_requests: int
    duration: int
    now: float
    history: list[float]

    def get_rate(self) -> str | None:
        rates: dict[str, str | None] = settings.THROTTLE_RATES
        return rates[self.scope] if self.scope is not None else None

    @staticmethod
    def _redis() -> RedisCache | None:
        backend = caches[DEFAULT_CACHE_ALIAS]  # DRF's ``cache`` is a proxy to it
        return backend if isinstance(backend, RedisCache) else None

    def allow_request(self, request: Request, view: "APIView") -> bool:
        redis = self._redis()
        if redis is None:  # a cache without scripts: DRF's own way
            return bool(super().allow_request(request, view))
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        try:
            oldest = self._check_in_redis(redis)
        except (RedisError, OSError) as error:
            LOCAL_WINDOWS.note_fallback(error)
            oldest = LOCAL_WINDOWS.check(
                self.key, now=self.now, duration=self.duration, limit=self.num_requests
            )
        if oldest is None:
            return True
        self.history = [float(oldest)]
        return bool(self.throttle_failure())

    def _check_in_redis(self, redis: RedisCache) -> Any:
        key = redis.make_and_validate_key(f"{self.key}:window")
        client = redis._cache.get_client(key, write=True)
        return _window_script(client)(
            keys=[key],
            args=[
                repr(self.now),
                repr(self.now - self.duration),
                self.num_requests,
                int(self.duration) + 1,
                f"{self.now!r}:{secrets.token_hex(8)}",
            ],
            client=client,
        )

    def wait(self) -> float | None:
        """Until the oldest request counted leaves the window and frees a place."""
        if self._redis() is None:
            result: float | None = super().wait()
            return result
        remaining: float = self.duration - (self.now - self.history[-1])
        return max(remaining, 0.0)


class PersonThrottle(_SettingsRate):
    scope = "person"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        person = principals.person(request.user)
        return f"throttle:person:{person.pk}" if person else None


class IntegrationThrottle(_SettingsRate):
    scope = "integration"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        caller = principals.integration(request.user)
        return f"throttle:key:{caller.api_key.public_id}" if caller else None


class LoginThrottle(_SettingsRate):
    """Keyed on the connection's address, never on X-Forwarded-For, which the client could make up
    afresh for every attempt. Behind a proxy, the proxy must set the peer address (as the
    lockout, which keys on the same address, requires too)."""

    scope = "login"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        return f"throttle:login:{request.META.get('REMOTE_ADDR', 'unknown')}"


class PasswordLinkThrottle(LoginThrottle):
    """Set-password links, per address, at the sign-in rate but counted apart from sign-ins, so
    that neither flow can use up the other's attempts."""

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        return f"throttle:password-link:{request.META.get('REMOTE_ADDR', 'unknown')}"


# The header an integration sends naming its own user (an opaque id of its choosing), so that
# one member of a members' app cannot use up the checker for everyone else on the same key.
CHECKER_END_USER_HEADER = "Checker-End-User"


class CheckerThrottle(_SettingsRate):
    """Checker queries per API key or per person, on top of their general limit."""

    scope = "checker"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        caller = principals.integration(request.user)
        if caller is not None:
            return f"throttle:checker:key:{caller.api_key.public_id}"
        person = principals.person(request.user)
        return f"throttle:checker:person:{person.pk}" if person else None


class CheckerEndUserThrottle(_SettingsRate):
    """Checker queries per end user of an integration. The header's value is kept in the cache
    only as a keyed hash under the key's own id, so the cache never holds what the integration
    calls its users."""

    scope = "checker_end_user"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        caller = principals.integration(request.user)
        end_user = request.headers.get(CHECKER_END_USER_HEADER, "").strip()
        if caller is None or not end_user:
            return None
        digest = hmac.new(
            settings.SECRET_KEY.encode(), end_user.encode(), hashlib.sha256
        ).hexdigest()[:32]
        return f"throttle:checker:end-user:{caller.api_key.public_id}:{digest}"
