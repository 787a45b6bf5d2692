"""The shared core's models: one module per idea, re-exported here so ``portal.models.X`` works."""

from .audit import AuditEntry, AuditLogIsAppendOnly
from .outbox import OutgoingMail

__all__ = ["AuditEntry", "AuditLogIsAppendOnly", "OutgoingMail"]
