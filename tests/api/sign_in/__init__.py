"""Sign-in protection: the lockout of a username from an address after repeated failures
(django-axes), and two-factor sign-in with an authenticator app and recovery codes.

Time is frozen a few seconds into a 30-second TOTP step; tests move it step by step, so every
one-time code below is worked out for a known moment and never depends on the wall clock."""
