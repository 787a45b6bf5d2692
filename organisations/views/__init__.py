"""Thin views, one module per room: ``directory``, ``selfservice``, ``moderation``, ``municipal``, ``imports``."""
