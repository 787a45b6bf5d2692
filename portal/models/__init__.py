"""The shared core's models: one module per idea, re-exported here so ``portal.models.X`` works."""

from .outbox import OutgoingMail

__all__ = ["OutgoingMail"]
