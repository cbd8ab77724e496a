"""The SQLite knowledge base: schema, atomic writes, read-only access.

One file, written with sqlite-utils and browsable in Datasette as it is:

    documents          one disclosure: department, year, kind (预算/决算), unit, source and hash
    disclosure_tables  its tables (key, printed title, 注 note, page)
    table_columns      each table's value columns (key, flattened header label, 栏次, side)
    table_rows         rows: 序号, 科目编码, 科目名称 (FTS over names and codes)
    cells              one certain value per (row, column); an empty cell has no record
    ambiguous_cells    values whose column the arithmetic could not fix, with the candidates
    facts              figures stated in the narrative, with their sentence and reason
    passages           narrative paragraphs by section (FTS)
    definitions        名词解释 terms (FTS)
    indicators         绩效目标 indicators
    load_warnings      what the load-time checks found

Identifiers are readable and deterministic (`望都县乡村振兴局/2022/预算/3/10`: document, table
position, row 序号), so loading
the same file twice gives the same rows. A load writes a new file beside the base and swaps it
in (files.py): a failure or a kill leaves the knowledge base as it was, and readers never wait.
"""

from .file_loads import open_for_writing
from .files import clear_stale_temps, damaged, integrity, needs_recovery, recover
from .postgres import is_server
from .read import (
    VocabularySources,
    assemble_document,
    counts,
    derived,
    document_order,
    first_definers,
    list_documents,
    list_tables,
    load_document,
    open_readonly,
    pending,
    ranking,
    read_by_current_rules,
    read_table,
    sources_count,
    vocabulary_sources,
)
from .schema import DOCUMENT_TABLES, SCHEMA_VERSION, Connection, KnowledgeBaseError, document_id
from .write import WriteResult, put_derived, write

__all__ = [
    "DOCUMENT_TABLES",
    "Connection",
    "SCHEMA_VERSION",
    "KnowledgeBaseError",
    "VocabularySources",
    "WriteResult",
    "assemble_document",
    "clear_stale_temps",
    "counts",
    "document_order",
    "first_definers",
    "derived",
    "damaged",
    "integrity",
    "is_server",
    "needs_recovery",
    "recover",
    "document_id",
    "list_documents",
    "list_tables",
    "load_document",
    "open_for_writing",
    "open_readonly",
    "pending",
    "put_derived",
    "ranking",
    "read_by_current_rules",
    "read_table",
    "sources_count",
    "vocabulary_sources",
    "write",
]
