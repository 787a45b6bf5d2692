"""Date formats for Finland in every interface language (``FORMAT_MODULE_PATH``).

Django's Swedish formats are Sweden's (ISO dates, 2026-12-02) and its English ones American
(12/02/2026); in Finland both languages write dates day first, as Finnish does (2.12.2026).
Only what differs from Django's own locale formats is set here.
"""
