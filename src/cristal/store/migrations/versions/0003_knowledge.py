"""Knowledge: collections, documents, chunks, vectors, and the full-text index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from cristal.errors import StoreError
from cristal.store import JSON, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE chunks_fts USING fts5(terms, content='chunks', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN "
    "INSERT INTO chunks_fts(rowid, terms) VALUES (new.id, new.terms); END",
    "CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN "
    "INSERT INTO chunks_fts(chunks_fts, rowid, terms) VALUES ('delete', old.id, old.terms); END",
    "CREATE TRIGGER chunks_fts_update AFTER UPDATE OF terms ON chunks BEGIN "
    "INSERT INTO chunks_fts(chunks_fts, rowid, terms) VALUES ('delete', old.id, old.terms); "
    "INSERT INTO chunks_fts(rowid, terms) VALUES (new.id, new.terms); END",
]
_POSTGRES_FTS = [
    "ALTER TABLE chunks ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED",
    "CREATE INDEX ix_chunks_tsv ON chunks USING gin (tsv)",
]


def upgrade() -> None:
    """Create the knowledge tables and the dialect's full-text index."""
    op.create_table(
        "collections",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey(
            "tenants.id", ondelete="CASCADE", name="fk_collections_tenant_id_tenants"),
            nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("embed_model", sa.String(200), nullable=True),
        sa.Column("settings", JSON, nullable=False, server_default="{}"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_collections_tenant_id_name"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("collection_id", sa.String(40), sa.ForeignKey(
            "collections.id", ondelete="CASCADE", name="fk_documents_collection_id_collections"),
            nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
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
        sa.UniqueConstraint("collection_id", "source", name="uq_documents_collection_id_source"),
    )
    op.create_table(
        "chunks",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(40), sa.ForeignKey(
            "documents.id", ondelete="CASCADE", name="fk_chunks_document_id_documents"),
            nullable=False),
        sa.Column("collection_id", sa.String(40), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("heading_path", JSON, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("embedded", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_chunks_document_id", "chunks", ["document_id"])
    op.create_index("ix_chunks_collection_id", "chunks", ["collection_id"])
    op.create_table(
        "chunk_vectors",
        sa.Column("chunk_id", _ID, sa.ForeignKey(
            "chunks.id", ondelete="CASCADE", name="fk_chunk_vectors_chunk_id_chunks"),
            primary_key=True),
        sa.Column("collection_id", sa.String(40), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_chunk_vectors_collection_id", "chunk_vectors", ["collection_id"])
    statements = _SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else _POSTGRES_FTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    """Migrations are append-only."""
    raise StoreError("Cristal migrations are append-only; restore a backup instead.")
