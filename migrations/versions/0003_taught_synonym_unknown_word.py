"""Phrases taught with /teach and words the search did not understand (issue 17).

Revision ID: 0003_taught_synonym_unknown_word
Revises: 0002_provenance

`taught_synonym`: a phrase an administrator taught, in a language, for a category (kept when
undone, `active` false, for the audit). `unknown_word`: a word used by at least 5 people in a day
that the search did not understand (day, word, how many people; no text, no user id).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_taught_synonym_unknown_word"
down_revision = "0002_provenance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "taught_synonym",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lang", sa.String, nullable=False),
        sa.Column("phrase", sa.String, nullable=False),
        sa.Column("key", sa.String, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_taught_synonym_changed_at", "taught_synonym", ["changed_at"])
    op.create_table(
        "unknown_word",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("word", sa.String, primary_key=True),
        sa.Column("people", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("unknown_word")
    op.drop_index("ix_taught_synonym_changed_at", table_name="taught_synonym")
    op.drop_table("taught_synonym")
