"""`service.free` follows the one rule of `catalogue.fees` (issue 18).

Revision ID: 0007_free_from_fees
Revises: 0006_hours_recurrence

The search index now reads the column only, so every stored row is settled once: its fees text
decides when it says something ("Gratuit, adhésion 5 €" is not free, "Gratuit" is), else the
value stated stays. No schema change; downgrade keeps the settled values (they are correct).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from catalogue.fees import settle_free

revision = "0007_free_from_fees"
down_revision = "0006_hours_recurrence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    service = sa.table(
        "service",
        sa.column("id", sa.String),
        sa.column("free", sa.Boolean),
        sa.column("fees", sa.String),
    )
    bind = op.get_bind()
    for sid, free, fees in bind.execute(sa.select(service.c.id, service.c.free, service.c.fees)):
        settled = settle_free(free, fees)
        if settled is not free:
            bind.execute(service.update().where(service.c.id == sid).values(free=settled))


def downgrade() -> None:
    pass
