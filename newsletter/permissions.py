"""Who may do what in the newsletter: the council secretary composes and sends; the rest is public.

Subscribers are not accounts: their token (in every message) is what lets them change preferences
or unsubscribe.
"""

from portal.permissions import requires_capability

secretary_required = requires_capability("council_secretary")
