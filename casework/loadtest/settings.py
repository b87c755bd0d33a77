"""The API as ``benchmark_api`` runs it: production's settings in full, with the keys the load
data was written with.

Production refuses to start with a key committed in the repository, and the load data is
written on a development machine with exactly those keys. This module imports the production
settings with throwaway keys (so every refusal still runs) and then puts back the keys the data
needs, given in ``BENCHMARK_*`` variables. The benchmark tooling is in neither the production
settings nor the image, so this module never runs a real service."""

from casework.settings.env import env
from casework.settings.prod import *  # noqa: F403

FIELD_ENCRYPTION_KEYS = env.list("BENCHMARK_FIELD_ENCRYPTION_KEYS")
FIELD_HASH_KEY = env("BENCHMARK_FIELD_HASH_KEY")
AUDIT_HASH_KEYS = env.list("BENCHMARK_AUDIT_HASH_KEYS")
