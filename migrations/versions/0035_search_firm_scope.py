"""the PostgreSQL search documents of firms whose basic information is public hold their scope, the firm's province
and each practice category (`uf:province=32`, `uf:category=investigation`), so a text search within a province or
a category is one more GIN test instead of a statement listing the allowed firms and a list of them sent back
(环保 among Jiangsu's investigation firms, national scale: 2,014 firms); derived here in SQL from the firms, as
`document_row` derives them (last, the province first, then the categories in order), and counted in the term
frequencies. Every firm's document is updated in place: `flask search reindex` after it builds the table afresh
(docs/deploy.md; the dead space slowed a search for a full firm name from 18 to 50 ms at national scale)

Revision ID: 0035
Revises: 0034
"""
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

# basic information public (`unit_basic_public`): commitment signed, not withheld, registration not suspended
ADD_SCOPE_TERMS = """
    UPDATE search_document AS d SET terms = d.terms || f.terms FROM (
        SELECT u.id, ARRAY['uf:province=' || left(u.division_code, 2)]
                     || ARRAY(SELECT 'uf:category=' || c.category FROM unit_category AS c
                              WHERE c.unit_id = u.id ORDER BY c.category) AS terms
        FROM unit AS u
        WHERE u.commitment_signed_at IS NOT NULL AND u.non_disclosure_reason IS NULL
          AND u.registration_suspended_at IS NULL AND u.division_code <> ''
    ) AS f WHERE d.record_type = 'unit' AND d.record_id = f.id
"""
COUNT_SCOPE_TERMS = """
    INSERT INTO search_gram (term, documents)
    SELECT term, count(*) FROM (SELECT unnest(terms) AS term FROM search_document) AS counted
    WHERE term ~ '^.f:' GROUP BY term
"""
REMOVE_SCOPE_TERMS = ("UPDATE search_document "
                      "SET terms = ARRAY(SELECT term FROM unnest(terms) AS term WHERE term !~ '^.f:') "
                      "WHERE record_type = 'unit'")
UNCOUNT_SCOPE_TERMS = "DELETE FROM search_gram WHERE term ~ '^.f:'"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # the Whoosh index holds the scopes once it is built again (`flask search reindex`, docs/deploy.md)
    op.execute(ADD_SCOPE_TERMS)
    op.execute(COUNT_SCOPE_TERMS)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(REMOVE_SCOPE_TERMS)
    op.execute(UNCOUNT_SCOPE_TERMS)
