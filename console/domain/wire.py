"""Header names of the wire contract that the client and the built-in server share."""

from __future__ import annotations

# A change carries one; a server that honours it applies the change once per key.
IDEMPOTENCY_KEY = "Idempotency-Key"
# Sent by a server that honours idempotency keys, on every answer, so a client knows whether a
# change whose answer was lost may be sent again (PackageX documents no such header; without
# it the client assumes keys are not honoured).
IDEMPOTENCY_KEYS_HONOURED = "X-Idempotency-Keys"
HONOURED = "honoured"
# Sent by the built-in server on every answer: which warehouse it serves. It changes when an
# in-memory warehouse starts afresh, so a console can tell that its unconfirmed work belonged
# to a warehouse that no longer exists. A client sends it back on a change, naming the warehouse
# it means: the server refuses the change (409 warehouse_changed) when it serves another.
WAREHOUSE_INSTANCE = "X-Warehouse-Instance"
# Versions (RFC 9110): a strong ETag on every single-object answer, If-Match on an update.
ETAG = "ETag"
IF_MATCH = "If-Match"
# Sent by the built-in server on every answer: the extensions of the contract it offers, as a
# comma list (a server that sends none offers none). `lot-picks`: fulfillment lines carry
# `lots` and completing an order takes the picked units out of those lots.
EXTENSIONS = "X-Warehouse-Extensions"
LOT_PICKS = "lot-picks"
# `receipt-parts`: a manifest line's units may be received into several bins and lots (`parts`).
RECEIPT_PARTS = "receipt-parts"
OFFERED_EXTENSIONS = (LOT_PICKS, RECEIPT_PARTS)
