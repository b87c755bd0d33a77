"""django-guardian: object permissions through direct foreign-key tables only."""

# No anonymous user row: an unauthenticated request never holds an object permission.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
