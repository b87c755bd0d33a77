"""Field encryption and keyed hashes: the only place in Casework that touches key material.

* Identity fields and free text are encrypted with AES-256-GCM. Each value carries the id of the
  key that sealed it, so a new primary key can be added, existing values re-encrypted in batches,
  and the old key retired. The table and column are bound in as associated data, so a
  ciphertext copied into another column does not decrypt.
* Exact-match lookups (a phone number, an email address) go through an HMAC-SHA-256 of the
  normalised value under a separate key, never through decryption.
"""

from .fields import EncryptedDateField, EncryptedListField, EncryptedTextField
from .keyring import DecryptionError, blind_index, keyring

__all__ = [
    "DecryptionError",
    "EncryptedDateField",
    "EncryptedListField",
    "EncryptedTextField",
    "blind_index",
    "keyring",
]
