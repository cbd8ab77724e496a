"""The knowledge base on a PostgreSQL server: the same tables, read and written by the same code.

`kb = "postgresql://…"` (config, `--kb`, `$BUDGETBOT_KB`) selects it. The store's SQL is written
once, in the subset both databases speak (`?` parameters, `"quoted"` names, `ON CONFLICT`,
`CASE`), and `Connection` here runs it on psycopg 3: parameters become `%s`, and rows answer by
position and by name as `sqlite3.Row` does — so the read functions, the derivation and the engine
cannot tell which database they run on.

What differs is how a load is made safe, and that lives here:
- SQLite (files.py) writes a new file and swaps it in: one transaction for the whole load.
- PostgreSQL writes **each document in its own transaction**, under an advisory lock on its id:
  many `budgetbot load` processes, on one machine or several, write into one database at once; a
  killed worker leaves every document it committed whole and nothing of the one it was writing;
  loading the same file again changes nothing. Each written document is queued (`derive_queue`)
  in its own transaction; what is derived from it (key figures, the vocabulary, the document
  index) is brought up to date by one worker at a time (a second advisory lock) for every queued
  document, whoever wrote it — so a worker killed between the two leaves work the next load does.
  Until then an answerer does not rank from key figures (they may lack the queued documents): it
  reads the documents, as it does for any question key figures do not cover.
- Answerers open read-only sessions in autocommit: every statement reads a committed state; a
  load is seen when `meta.generation` (raised by each derivation) changes (live.py polls it).

Text columns are `COLLATE "C"`: byte order, as SQLite compares, so ids nest (`doc/` < `doc0`)
and documents sort the same on both stores. The schema is SQLite's, translated, applied as
numbered migrations (`schema_migrations`).

psycopg (LGPL-3.0, a library we link, not modify) is imported only when a PostgreSQL base is
used: it costs ~0.1 s to import, which a SQLite answerer should not pay."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from .schema import BODY_TABLES, SCHEMA, SCHEMA_VERSION, KnowledgeBaseError

if TYPE_CHECKING:
    import psycopg

    from .write import Deriver

URL = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)

# Advisory lock keys: one per document id (hashed by the server), one for the derivation.
DERIVE_LOCK = 7_202_612_031
MIGRATION_LOCK = 7_202_612_030


def is_server(kb: object) -> bool:
    """Whether a knowledge base location names a PostgreSQL database, not a file."""
    return isinstance(kb, str) and bool(URL.match(kb))


def shown(kb: str | PurePath) -> str:
    """A knowledge base fit to print: a file's path, a URL without its password."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", kb) if isinstance(kb, str) else str(kb)


def postgres_schema(sql: str) -> str:
    """SQLite's schema in PostgreSQL's types: byte-ordered text, double precision, bytea; no
    WITHOUT ROWID; no foreign keys (a document is written and deleted whole, children first, in
    one transaction; checking them cost every insert a lookup)."""
    sql = sql.replace(") WITHOUT ROWID;", ");")
    sql = re.sub(r" REFERENCES \w+\(\w+\)", "", sql)
    sql = re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', sql)
    sql = re.sub(r"\bBLOB\b", "BYTEA", sql)
    sql = re.sub(r"\bREAL\b", "DOUBLE PRECISION", sql)
    return re.sub(r"\bINTEGER\b", "BIGINT", sql)


# A new database gets the current schema whole; one made by an older version gets each numbered
# migration after the last it has, in order, in one transaction.
SERVER_EXTRAS = """
-- written documents whose derived data is not yet brought up to date; `token` changes at every
-- write, so a document written again while it is being derived stays queued
CREATE SEQUENCE derive_tokens;
CREATE TABLE derive_queue (document_id TEXT COLLATE "C" PRIMARY KEY, token BIGINT NOT NULL);
INSERT INTO meta (key, value) VALUES ('generation', '0');
"""
# A ranking "最多" reads figures in descending order with ties by department ascending: SQLite
# walks its ascending index backwards for that; PostgreSQL needs the order as an index of its own
# (without it, 50,000 entries sorted for each ranking: 160 ms at 100,000 disclosures, 1 ms with it).
DESCENDING_RANKINGS = """
CREATE INDEX idx_key_figures_year_desc ON key_figures (measure, chosen, year, figure DESC, department, document_id);
CREATE INDEX idx_key_figures_newest_desc ON key_figures (measure, chosen, newest, figure DESC, department, document_id);
"""
SERVER_EXTRAS += DESCENDING_RANKINGS
LATEST = 3
MIGRATIONS: dict[int, str] = {  # version → what brings version - 1 to it
    2: DESCENDING_RANKINGS,
    # the bodies' index (schema 10), filled by the next load's derivation, which runs whole
    3: postgres_schema(BODY_TABLES) + "DELETE FROM derived WHERE key = 'derived_by';",
}
# The SQLite schema version each server version corresponds to (what readers check).
SCHEMA_OF = {1: 9, 2: 9, 3: 10}
assert SCHEMA_OF[LATEST] == SCHEMA_VERSION


@lru_cache(maxsize=1024)
def _sql(sql: str) -> str:
    """The store's SQL with psycopg's placeholders (`?` → `%s`; a literal % doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class Row:
    """A result row read by position or by column name, and `dict(row)`, as `sqlite3.Row`."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: Sequence[Any]):
        self._index = index
        self._values = values

    def __getitem__(self, key: int | str) -> Any:
        return self._values[self._index[key] if isinstance(key, str) else key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._index)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values, strict=True))!r})"


def _rows(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    index = {c.name: i for i, c in enumerate(cursor.description or ())}
    return lambda values: Row(index, values)


class Connection:
    """A psycopg connection that runs the store's SQL (see the module's notes)."""

    dialect = "postgresql"

    def __init__(self, raw: psycopg.Connection[Any], url: str):
        self.raw = raw
        self.url = url
        self.row_factory: object = None  # what sqlite3 code sets; rows here always have names

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        cursor = self.raw.cursor(row_factory=_rows)
        with self._lost():
            cursor.execute(_sql(sql), parameters or None)
        return cursor

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        cursor = self.raw.cursor(row_factory=_rows)
        rows = list(parameters)
        if rows:
            with self._lost():
                cursor.executemany(_sql(sql), rows)
        return cursor

    @contextlib.contextmanager
    def _lost(self) -> Iterator[None]:
        """A server gone (restarted, network down) is one Chinese line, not a traceback; every
        other error is the store's own and propagates as it is."""
        import psycopg

        try:
            yield
        except psycopg.OperationalError as e:
            if not self.raw.closed and not self.raw.broken:
                raise
            raise KnowledgeBaseError(f"{shown(self.url)}：与 PostgreSQL 知识库的连接断开了（{str(e).strip().splitlines()[0]}）") from e

    def copy_rows(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        """Many rows into one table by COPY: a third of the server's work of as many INSERTs."""
        cursor = self.raw.cursor()
        with self._lost(), cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN'.encode()) as copy:
            for row in rows:
                copy.write_row(row)

    def executescript(self, sql: str) -> None:
        self.raw.execute(sql.encode("utf-8"))  # bytes: run as written (no placeholders)

    def cursor(self) -> Connection:
        return self

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(url: str, *, readonly: bool) -> Connection:
    """A session on the server (autocommit: a writer opens its own transactions), or one Chinese
    line saying why there is none."""
    try:
        import psycopg
    except ImportError as e:  # pragma: no cover - psycopg is a dependency
        raise KnowledgeBaseError(f"{shown(url)}：使用 PostgreSQL 知识库需要 psycopg（pip install 'psycopg[binary]'）") from e
    try:
        raw = psycopg.connect(url, autocommit=True, application_name="budgetbot", connect_timeout=10)
    except psycopg.Error as e:
        raise KnowledgeBaseError(f"{shown(url)}：连接不上 PostgreSQL 知识库（{str(e).strip().splitlines()[0]}）") from e
    if readonly:
        raw.execute("SET default_transaction_read_only = on")
    return Connection(raw, url)


def applied(conn: Connection) -> int:
    """The last migration a server base has (0: none, an empty database)."""
    found = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()[0]
    if not found:
        return 0
    return int(conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])


def migrate(conn: Connection) -> None:
    """Bring the schema up to the last migration, once, whoever else is migrating at the time.

    The lock is the session's, taken before the transaction: a transaction that starts after
    another worker's migration committed sees its tables (a lock taken inside the transaction
    can leave the catalog as the transaction first saw it)."""
    if applied(conn) == LATEST:
        return
    conn.execute("SELECT pg_advisory_lock(?)", [MIGRATION_LOCK])
    try:
        with conn.raw.transaction():
            done = applied(conn)
            if done == 0:
                conn.executescript(postgres_schema(SCHEMA) + SERVER_EXTRAS)
                conn.executescript("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ DEFAULT now())")
                conn.executemany("INSERT INTO schema_migrations (version) VALUES (?)", [(v,) for v in range(1, LATEST + 1)])
            for version in range(done + 1, LATEST + 1) if done else ():
                conn.executescript(MIGRATIONS[version])
                conn.execute("INSERT INTO schema_migrations (version) VALUES (?)", [version])
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [str(SCHEMA_OF[LATEST])],
            )
    finally:
        conn.execute("SELECT pg_advisory_unlock(?)", [MIGRATION_LOCK])


def open_readonly(url: str) -> Connection:
    """A read-only session on a server base of this schema version."""
    conn = connect(url, readonly=True)
    try:
        if applied(conn) == 0:
            raise KnowledgeBaseError(f"{shown(url)}：这个数据库里没有知识库（请先运行 budgetbot load --kb {shown(url)} 文件）")
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if version is None or int(version[0]) != SCHEMA_VERSION:
            raise KnowledgeBaseError(
                f"{shown(url)}：知识库版本是 {version and version[0]}，本程序需要 {SCHEMA_VERSION}：请用新版本的 budgetbot load 载入一次，数据库会自动升级"
            )
    except BaseException:
        conn.close()
        raise
    return conn


def generation(conn: Connection) -> int:
    """Raised by every derivation: an answerer that sees it change opens the base again."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def document_lock(conn: Connection, doc: str) -> None:
    """Held until the transaction ends: two workers never write one document at once."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", [doc])


def derivation_lock(conn: Connection) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(?)", [DERIVE_LOCK])


def queue_for_derivation(conn: Connection, doc: str) -> None:
    """In the document's transaction: its derived data is now to be brought up to date."""
    conn.execute(
        "INSERT INTO derive_queue (document_id, token) VALUES (?, nextval('derive_tokens')) "
        "ON CONFLICT (document_id) DO UPDATE SET token = excluded.token",
        [doc],
    )


def derive_queued(conn: Connection, derive: Deriver, prepared: object = None) -> None:
    """Derive what every queued document changes (whoever wrote it), one worker at a time, in one
    transaction that also empties the queue of what it derived and raises the generation.
    `prepared`: what this worker computed of its own documents before taking the lock."""
    with conn.raw.transaction():
        derivation_lock(conn)
        queued = [(r[0], r[1]) for r in conn.execute("SELECT document_id, token FROM derive_queue ORDER BY document_id")]
        stale = derive.stale(conn)
        if not queued and not stale:
            return
        derive(conn, [doc for doc, _ in queued], prepared)
        # a document written again meanwhile has a new token and stays queued for the next derivation
        conn.executemany("DELETE FROM derive_queue WHERE document_id = ? AND token = ?", queued)
        conn.execute("UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'generation'")
    if stale:  # derived whole: the tables it rewrote, tidied for the answerers now, not by autovacuum later
        tidy(conn)


# What a whole derivation rewrites. Until VACUUM marks their pages all-visible, a ranking's
# index-only scan reads the table too (28 ms instead of 1.4 at 100,000 disclosures, right after
# one), and until ANALYZE the planner estimates the new tables as empty.
REWRITTEN = ("key_figures", "body_forms", "body_places", "derived")


def tidy(conn: Connection) -> None:
    conn.execute(f"VACUUM (ANALYZE) {', '.join(REWRITTEN)}")


def pending(conn: Connection) -> int:
    """Written documents not yet derived."""
    return int(conn.execute("SELECT count(*) FROM derive_queue").fetchone()[0])


def integrity(url: str) -> list[str]:
    """What can be said of a server base's soundness: [] when the schema is this version's and no
    derivation is left to do."""
    try:
        conn = open_readonly(url)
    except KnowledgeBaseError as e:
        return [str(e)]
    with conn:
        queued = conn.execute("SELECT count(*) FROM derive_queue").fetchone()[0]
    return [f"有 {queued} 份文件已写入但派生数据（关键数字、词表）还没更新：再运行一次 budgetbot load 即可补上"] if queued else []
