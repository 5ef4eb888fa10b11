"""Baseline: the schema as it was before Alembic (issue 13).

Revision ID: 0001_baseline
Revises:

The tables are frozen here as they were, not imported from the models, so that this revision
keeps meaning the same thing when the models change. A database made before Alembic has no
version table and may lack the tables of parts that never ran (the bot's); upgrading it runs
this revision, which creates only the missing tables and leaves the others and their rows alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

metadata = sa.MetaData()
_str = sa.String
# SQLModel stores datetimes aware (UTCDateTime: timestamptz on PostgreSQL).
_aware = sa.DateTime(timezone=True)


def _service_fk() -> sa.ForeignKey:
    return sa.ForeignKey("service.id", ondelete="CASCADE")


sa.Table(
    "organization",
    metadata,
    sa.Column("id", _str, primary_key=True),
    sa.Column("name", _str, nullable=False),
    sa.Column("description", _str),
    sa.Column("website", _str),
    sa.Column("email", _str),
)
sa.Table(
    "location",
    metadata,
    sa.Column("id", _str, primary_key=True),
    sa.Column("name", _str),
    sa.Column("address", _str),
    sa.Column("postcode", _str),
    sa.Column("city", _str),
    sa.Column("insee_code", _str),
    sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float),
    sa.Column("approximate", sa.Boolean, nullable=False),
    sa.Column("description", _str),
)
sa.Table(
    "service",
    metadata,
    sa.Column("id", _str, primary_key=True),
    sa.Column("organization_id", _str, sa.ForeignKey("organization.id"), index=True),
    sa.Column("name", _str, nullable=False),
    sa.Column("alternate_name", _str),
    sa.Column("description", _str),
    sa.Column("status", _str, nullable=False, index=True),
    sa.Column("min_age", sa.Integer),
    sa.Column("max_age", sa.Integer),
    sa.Column("gender", _str),
    sa.Column("eligibility", _str),
    sa.Column("access", _str),
    sa.Column("access_note", _str),
    sa.Column("free", sa.Boolean),
    sa.Column("fees", _str),
    sa.Column("languages", sa.JSON, nullable=False),
    sa.Column("areas", sa.JSON, nullable=False),
    sa.Column("email", _str),
    sa.Column("website", _str),
    sa.Column("source", _str),
    sa.Column("verified_on", sa.Date),
    sa.Column("created_at", _aware, nullable=False),
    sa.Column("updated_at", _aware, nullable=False),
)
sa.Table(
    "service_location",
    metadata,
    sa.Column("service_id", _str, _service_fk(), primary_key=True),
    sa.Column("location_id", _str, sa.ForeignKey("location.id"), primary_key=True, index=True),
)
sa.Table(
    "service_category",
    metadata,
    sa.Column("service_id", _str, _service_fk(), primary_key=True),
    sa.Column("key", _str, primary_key=True, index=True),
)
sa.Table(
    "phone",
    metadata,
    sa.Column("id", _str, primary_key=True),
    sa.Column("service_id", _str, _service_fk(), nullable=False, index=True),
    sa.Column("number", _str, nullable=False),
    sa.Column("kind", _str),
    sa.Column("description", _str),
)
sa.Table(
    "opening_hours",
    metadata,
    sa.Column("id", _str, primary_key=True),
    sa.Column("service_id", _str, _service_fk(), nullable=False, index=True),
    sa.Column("location_id", _str, sa.ForeignKey("location.id")),
    sa.Column("freq", _str, nullable=False),
    sa.Column("byday", _str, nullable=False),
    sa.Column("opens_at", sa.Time, nullable=False),
    sa.Column("closes_at", sa.Time, nullable=False),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_to", sa.Date),
    sa.Column("note", _str),
)
sa.Table(
    "hours_exception",
    metadata,
    sa.Column("id", _str, primary_key=True),
    sa.Column("service_id", _str, _service_fk(), nullable=False, index=True),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date, nullable=False),
    sa.Column("opens_at", sa.Time),
    sa.Column("closes_at", sa.Time),
    sa.Column("note", _str),
)
sa.Table(
    "service_translation",
    metadata,
    sa.Column("service_id", _str, _service_fk(), primary_key=True),
    sa.Column("lang", _str, primary_key=True),
    sa.Column("field", _str, primary_key=True),
    sa.Column("text", _str, nullable=False),
)
sa.Table(
    "audit_entry",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", _aware, nullable=False, index=True),
    sa.Column("actor", _str, nullable=False),
    sa.Column("action", _str, nullable=False),
    sa.Column("entity", _str, nullable=False),
    sa.Column("entity_id", _str, nullable=False, index=True),
    sa.Column("before", sa.JSON),
    sa.Column("after", sa.JSON),
)
sa.Table(
    "catalogue_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)
# The bot's tables (bot/models.py, bot/roles.py, bot/stats.py).
for _name, _key in (("bot_user_data", "user_id"), ("bot_chat_data", "chat_id")):
    sa.Table(
        _name,
        metadata,
        sa.Column(_key, sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
sa.Table(
    "bot_data",
    metadata,
    sa.Column("key", _str, primary_key=True),
    sa.Column("value", sa.JSON),
)
sa.Table(
    "bot_conversation",
    metadata,
    sa.Column("name", _str, primary_key=True),
    sa.Column("key", _str, primary_key=True),
    sa.Column("state", sa.JSON),
)
sa.Table(
    "admin_role",
    metadata,
    sa.Column("user_id", sa.Integer, primary_key=True),
    sa.Column("granted_by", sa.Integer, nullable=False),
    sa.Column("granted_at", _aware, nullable=False),
)
sa.Table(
    "search_stat",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("day", sa.Date, nullable=False, index=True),
    sa.Column("hour", sa.Integer, nullable=False),
    sa.Column("need", _str),
    sa.Column("commune", _str),
    sa.Column("found", sa.Boolean, nullable=False),
)


def upgrade() -> None:
    metadata.create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
