"""Tables of the knowledge area: collections, documents, chunks and their vectors.

Full-text and vector indexes are database-specific and live beside these tables:
SQLite has an FTS5 table `chunks_fts` (external content, kept in sync by
triggers) and, when sqlite-vec loads, `vec0` tables built from `chunk_vectors`;
PostgreSQL has a generated `tsv` column with a GIN index. `chunk_vectors` is the
source of truth for vectors on both.
"""

from __future__ import annotations

import sqlalchemy as sa

from cristal.store import JSON, UTCDateTime, metadata

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # INTEGER PRIMARY KEY = rowid

collections = sa.Table(
    "collections",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column(
        "tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("embed_model", sa.String(200), nullable=True),
    sa.Column("settings", JSON, nullable=False, server_default="{}"),
    sa.UniqueConstraint("tenant_id", "name"),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column(
        "collection_id",
        sa.String(40),
        sa.ForeignKey("collections.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("source", sa.Text(), nullable=False),  # absolute path of the file
    sa.Column("path", sa.Text(), nullable=False),  # relative to the ingested folder
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("format", sa.String(20), nullable=False),
    sa.Column("lang", sa.String(5), nullable=False),
    sa.Column("title", sa.Text(), nullable=True),
    sa.Column("pages", sa.Integer(), nullable=True),
    sa.Column("encoding", sa.String(40), nullable=True),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("chunks", sa.Integer(), nullable=False),
    sa.Column("ingested_at", UTCDateTime(), nullable=False),
    sa.Column("meta", JSON, nullable=True),
    sa.UniqueConstraint("collection_id", "source"),
)

chunks = sa.Table(
    "chunks",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column(
        "document_id",
        sa.String(40),
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("collection_id", sa.String(40), nullable=False, index=True),
    sa.Column("idx", sa.Integer(), nullable=False),
    sa.Column("start", sa.Integer(), nullable=False),
    sa.Column("end", sa.Integer(), nullable=False),
    sa.Column("page", sa.Integer(), nullable=True),
    sa.Column("heading_path", JSON, nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("terms", sa.Text(), nullable=False),
    sa.Column("embedded", sa.Boolean(), nullable=False, server_default=sa.false()),
)

chunk_vectors = sa.Table(
    "chunk_vectors",
    metadata,
    sa.Column("chunk_id", _ID, sa.ForeignKey("chunks.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("collection_id", sa.String(40), nullable=False, index=True),
    sa.Column("dim", sa.Integer(), nullable=False),
    sa.Column("vector", sa.LargeBinary(), nullable=False),  # float32, L2-normalised
)

# Who may read a collection. None: every member of its tenant; any row: only the users
# and groups named (and the tenant's admins).
collection_grants = sa.Table(
    "collection_grants",
    metadata,
    sa.Column("collection_id", sa.String(40), sa.ForeignKey("collections.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("kind", sa.String(10), primary_key=True),  # user | group
    sa.Column("subject", sa.String(200), primary_key=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)
