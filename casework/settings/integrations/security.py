"""Sign-in protection, throttling, the cache behind it, and the content security policy."""

from datetime import timedelta

from ..env import env

# django-axes: after this many failed sign-ins for one username from one address, that pair is
# locked out for the cool-off time. Keying on the pair means nobody can lock a colleague out
# from elsewhere by guessing at their username.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp", "current_password", "new_password"]
# The API answers a lockout itself (429 in the one error shape), so django-axes' middleware,
# which renders its own page, is not installed; the admin login shows its usual refusal.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]

# The cache holds throttle counters and published statistics (aggregates already suppressed,
# casework/stats/caching.py) only: never personal data.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default="redis://127.0.0.1:6379/2"),
        "KEY_PREFIX": "casework",
        "TIMEOUT": 300,
        # An unreachable cache must cost a request milliseconds, not the socket's default wait:
        # the throttle then keeps its limits per process (permissions.throttling).
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}

# Requests per caller: people by account, integrations by API key, sign-in attempts by address.
THROTTLE_RATES = {
    "person": env("THROTTLE_PERSON", default="600/minute"),
    "integration": env("THROTTLE_INTEGRATION", default="120/minute"),
    "login": env("THROTTLE_LOGIN", default="20/minute"),
    # Checker queries (casework/alerts): per API key or person, and per end user of an
    # integration (the Checker-End-User header), each on top of the limits above.
    "checker": env("THROTTLE_CHECKER", default="60/minute"),
    "checker_end_user": env("THROTTLE_CHECKER_END_USER", default="10/minute"),
}

# Links for staff to set their own password (casework/accounts/services/password_links.py): a
# single-use Django password-reset token, good for this long. The URL is the page of the client
# application that asks for the new password; {uid} and {token} go after "#", which browsers
# never send to a server, so no access log can hold them.
PASSWORD_RESET_TIMEOUT = env.int("SET_PASSWORD_LINK_HOURS", default=24) * 3600
SET_PASSWORD_URL = env(
    "SET_PASSWORD_URL", default="http://localhost:8000/set-password#uid={uid}&token={token}"
)

# django-otp: a TOTP code is good for its own 30-second step only.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Casework")
OTP_TOTP_TOLERANCE = 0

# Content security policy: nothing from anywhere but this origin; no inline script; no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
    }
}
