"""The shared core's models, one module per idea (the outbox's model sits beside the audit log's)."""

from portal.models.audit import AuditEntry, AuditLogIsAppendOnly

__all__ = ["AuditEntry", "AuditLogIsAppendOnly"]
