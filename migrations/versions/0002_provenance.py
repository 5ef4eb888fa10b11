"""Provenance of synced services and their OpenStreetMap opening hours (issue 13).

Revision ID: 0002_provenance
Revises: 0001_baseline

New, so nothing to carry over: the `service_source` table (which open-data record a service
comes from) and two nullable columns of `service` (OSM hours kept whole, hours said as text).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_provenance"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("service", sa.Column("opening_hours_osm", sa.String(), nullable=True))
    op.add_column("service", sa.Column("hours_note", sa.String(), nullable=True))
    op.create_table(
        "service_source",
        sa.Column("source", sa.String(), primary_key=True),
        sa.Column("record_id", sa.String(), primary_key=True),
        sa.Column(
            "service_id",
            sa.String(),
            sa.ForeignKey("service.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("producer", sa.String()),
        sa.Column("link", sa.String()),
        sa.Column("updated_on", sa.Date()),
        sa.Column("synced", sa.JSON()),
        sa.Column("present", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_service_source_service_id", "service_source", ["service_id"])


def downgrade() -> None:
    op.drop_index("ix_service_source_service_id", table_name="service_source")
    op.drop_table("service_source")
    # Not batch mode: on SQLite it would copy and drop `service`, and the drop cascades to the
    # rows that reference it. ALTER TABLE … DROP COLUMN is SQLite 3.35+ and PostgreSQL alike.
    for column in ("hours_note", "opening_hours_osm"):
        op.execute(f"ALTER TABLE service DROP COLUMN {column}")
