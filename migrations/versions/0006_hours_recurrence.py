"""The iCalendar parts of an HSDS schedule beyond its days, read by "open now" (issue 16).

Revision ID: 0006_hours_recurrence
Revises: 0005_service_hsds

One nullable column: `opening_hours.recurrence` (`DTSTART=…;INTERVAL=2;BYWEEKNO=41,42`, see
`catalogue.hours.Recurrence`). Existing rules have none, so nothing to carry over.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_hours_recurrence"
down_revision = "0005_service_hsds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("opening_hours", sa.Column("recurrence", sa.String(), nullable=True))


def downgrade() -> None:
    # Not batch mode (see 0002): a plain DROP COLUMN, SQLite 3.35+ and PostgreSQL alike.
    op.execute("ALTER TABLE opening_hours DROP COLUMN recurrence")
