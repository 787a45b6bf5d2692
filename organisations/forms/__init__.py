"""Input validation, one module per room: ``selfservice``, ``moderation``, ``municipal``, ``imports``.

Every form lists its fields explicitly: whatever else a POST carries (a hidden ``status``, a
``slug``, another association's id) is simply not a field and changes nothing.
"""
