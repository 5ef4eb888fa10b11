"""What an HSDS file said that Relais does not model, kept per service (issue 15).

Revision ID: 0005_service_hsds
Revises: 0004_mistake_report

A new table only: `service_hsds` (see `catalogue.models.ServiceHsds`), one JSON document per
service whose import carried fields Relais does not model, written back on export.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_service_hsds"
down_revision = "0004_mistake_report"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_hsds",
        sa.Column(
            "service_id",
            sa.String,
            sa.ForeignKey("service.id", ondelete="CASCADE"),
            primary_key=True,
        ),  # fmt: skip
        sa.Column("data", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("service_hsds")
