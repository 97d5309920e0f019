"""Header names of the wire contract that the client and the built-in server share."""

from __future__ import annotations

# A change carries one; a server that honours it applies the change once per key.
IDEMPOTENCY_KEY = "Idempotency-Key"
# Sent by a server that honours idempotency keys, on every answer, so a client knows whether a
# change whose answer was lost may be sent again (PackageX documents no such header; without
# it the client assumes keys are not honoured).
IDEMPOTENCY_KEYS_HONOURED = "X-Idempotency-Keys"
HONOURED = "honoured"
