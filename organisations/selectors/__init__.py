"""Reads that grew beyond a QuerySet method: the directory's counts and pages (``directory``),
its cached reference data (``reference``) and the municipal pages' figures (``municipal``).

Import from the modules: ``filters`` reads ``reference`` and ``directory`` reads ``filters``, so
this package imports nothing itself.
"""
