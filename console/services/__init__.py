"""The operator's units of work, with no user interface.

Each service here is a plain class a screen calls: an adjustment session, counting picks and
receipts, saving a lot, resolving a scan. Every change they make goes through one `Outbox`,
which owns the idempotency key, the re-sends and the single policy for a lost answer. Services
tell the screen what happened through return values and callbacks (a `Notice` is a message for
the operator), never by holding a screen; nothing here imports Textual.
"""
