"""Mistakes reported by residents on a service (issue 16).

Revision ID: 0004_mistake_report
Revises: 0003_taught_synonym_unknown_word

A new table, nothing to carry over. No user id: a report is the service, the day, and the
kind tapped or the sentence written.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_mistake_report"
down_revision = "0003_taught_synonym_unknown_word"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mistake_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("service_id", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String()),
        sa.Column("text", sa.String()),
    )
    op.create_index("ix_mistake_report_service_id", "mistake_report", ["service_id"])


def downgrade() -> None:
    op.drop_index("ix_mistake_report_service_id", table_name="mistake_report")
    op.drop_table("mistake_report")
