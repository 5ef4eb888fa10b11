"""Whom a service is for, read once by `catalogue.audience` and stored (issue 18).

Revision ID: 0008_audience_columns
Revises: 0007_free_from_fees

Four columns on `service`: `audience_gender`, `reserved_for` (JSON list), `refuses_children`,
`walk_in`. The search index used to read them from the texts at every build; now it reads the
columns, so every stored row gets its reading here (the rows of a large catalogue mostly keep
the defaults: only those that differ are written).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from catalogue.audience import COLUMNS, INPUTS, read

revision = "0008_audience_columns"
down_revision = "0007_free_from_fees"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("service", sa.Column("audience_gender", sa.String(), nullable=True))
    op.add_column(
        "service", sa.Column("reserved_for", sa.JSON(), nullable=False, server_default="[]")
    )
    for flag in ("refuses_children", "walk_in"):
        op.add_column(
            "service", sa.Column(flag, sa.Boolean(), nullable=False, server_default=sa.false())
        )
    service = sa.table(
        "service",
        *(sa.column(c, sa.String) for c in ("id", *INPUTS)),
        sa.column("audience_gender", sa.String),
        sa.column("reserved_for", sa.JSON),
        sa.column("refuses_children", sa.Boolean),
        sa.column("walk_in", sa.Boolean),
    )
    bind = op.get_bind()
    changed = []
    for row in bind.execute(sa.select(service.c.id, *(service.c[c] for c in INPUTS))):
        reading = read(**{c: row._mapping[c] for c in INPUTS})
        if reading != (None, [], False, False):
            changed.append({"b_id": row.id, **{f"v_{c}": v for c, v in reading._asdict().items()}})
    if changed:
        bind.execute(
            service.update()
            .where(service.c.id == sa.bindparam("b_id"))
            .values({c: sa.bindparam(f"v_{c}") for c in COLUMNS}),
            changed,
        )


def downgrade() -> None:
    # Not batch mode (see 0002): a plain DROP COLUMN, SQLite 3.35+ and PostgreSQL alike.
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE service DROP COLUMN {column}")
