"""The shared core's models, one module per idea, re-exported here so ``portal.models.X`` works."""

from portal.models.audit import AuditEntry, AuditLogIsAppendOnly
from portal.models.outbox import OutgoingMail

__all__ = ["AuditEntry", "AuditLogIsAppendOnly", "OutgoingMail"]
