"""Association lists for municipal contacts: columns (``columns``), the PostgreSQL query (``sql``),
the related names it reads (``names``), the streamed files (``streams``, ``xlsx``) and links.

On PostgreSQL one SELECT produces the final cells (``sql.export_sql``), read through a server-side
cursor, and CSV is written by the server itself (COPY). Other databases (the SQLite demo) take the
portable path: the same cells built in Python, chunk by chunk. Either way memory stays flat. See
the README, "Exports", for the columns and the rules.
"""

from .columns import COLUMNS, neutralise
from .links import export_urls
from .sql import export_sql
from .streams import SEPARATORS, prepare, row_chunks, stream_csv, stream_emails, stream_excel

__all__ = [
    "COLUMNS",
    "SEPARATORS",
    "export_sql",
    "export_urls",
    "neutralise",
    "prepare",
    "row_chunks",
    "stream_csv",
    "stream_emails",
    "stream_excel",
]
