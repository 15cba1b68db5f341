"""The public Q&A (issue 15): answers a division published from answered questions, and
their search index (Chinese cut in pairs of characters by ``hall.qa_search``): an FTS5 table
on SQLite, a tsvector table with a GIN index on PostgreSQL. The index is not a table of the
models (``hall.models.qa.SEARCH_INDEX``).

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-06 18:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import hall.models.base  # noqa: F401  (the hall's column types, e.g. UTCDateTime)


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

LIVE = sa.text("withdrawn_at IS NULL")


def upgrade():
    op.create_table('published_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('enquiry_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('division_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=500), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('published_at', hall.models.base.UTCDateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', hall.models.base.UTCDateTime(), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['division_id'], ['divisions.id'], name=op.f('fk_published_answers_division_id_divisions')),
    sa.ForeignKeyConstraint(['enquiry_id'], ['enquiries.id'], name=op.f('fk_published_answers_enquiry_id_enquiries')),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], name=op.f('fk_published_answers_hall_id_halls')),
    sa.ForeignKeyConstraint(['published_by_id'], ['staff.id'], name=op.f('fk_published_answers_published_by_id_staff')),
    sa.ForeignKeyConstraint(['topic_id'], ['enquiry_topics.id'], name=op.f('fk_published_answers_topic_id_enquiry_topics')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['staff.id'], name=op.f('fk_published_answers_withdrawn_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_answers')),
    sa.UniqueConstraint('enquiry_id', name=op.f('uq_published_answers_enquiry_id'))
    )
    op.create_index('ix_published_answers_hall_live', 'published_answers',
                    ['hall_id', 'published_at'], sqlite_where=LIVE, postgresql_where=LIVE)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE TABLE qa_index (answer_id integer PRIMARY KEY REFERENCES "
                   "published_answers (id), hall_code varchar(16) NOT NULL, "
                   "document tsvector NOT NULL)")
        op.execute("CREATE INDEX qa_index_document ON qa_index USING gin (document)")
    else:
        # hall: the hall's code as a token (a query names it); question and answer: tokens
        op.execute("CREATE VIRTUAL TABLE qa_index USING fts5(hall, question, answer, "
                   "tokenize = 'unicode61')")


def downgrade():
    op.execute("DROP TABLE qa_index")
    op.drop_index('ix_published_answers_hall_live', table_name='published_answers')
    op.drop_table('published_answers')
