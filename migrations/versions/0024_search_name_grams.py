"""the PostgreSQL search documents hold the characters and bigrams of their names again, apart (`unu:`, `ung:`),
so a substring-in-names tier reads only the documents whose names hold its grams; derived here in SQL from the
names already stored, as `document_row` derives them, and counted in the term frequencies

Revision ID: 0024
Revises: 0023
"""
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# each document's name tokens (names_text: the normalized names, one a line), then each token's characters and
# bigrams, led by the document's kind and "n" (registry/search/postgres_backend.py: document_row); the name terms
# are those matching '^.n[ug]:' (no other term has an "n" second)
ADD_NAME_TERMS = r"""
    UPDATE search_document AS d SET terms = d.terms || n.terms FROM (
        WITH tokens AS (
            SELECT doc.id, left(doc.record_type, 1) AS kind, token
            FROM search_document AS doc, regexp_split_to_table(doc.names_text, '\s+') AS token
            WHERE token <> ''
        ), name_terms AS (
            SELECT id, kind || 'nu:' || substr(token, i, 1) AS term
            FROM tokens, generate_series(1, char_length(token)) AS i
            UNION
            SELECT id, kind || 'ng:' || substr(token, i, 2)
            FROM tokens, generate_series(1, char_length(token) - 1) AS i
        )
        SELECT id, array_agg(term ORDER BY term) AS terms FROM name_terms GROUP BY id
    ) AS n WHERE n.id = d.id
"""
COUNT_NAME_TERMS = """
    INSERT INTO search_gram (term, documents)
    SELECT term, count(*) FROM (SELECT unnest(terms) AS term FROM search_document) AS counted
    WHERE term ~ '^.n[ug]:' GROUP BY term
"""
REMOVE_NAME_TERMS = ("UPDATE search_document "
                     "SET terms = ARRAY(SELECT term FROM unnest(terms) AS term WHERE term !~ '^.n[ug]:')")
UNCOUNT_NAME_TERMS = "DELETE FROM search_gram WHERE term ~ '^.n[ug]:'"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # the Whoosh index keeps names in a field of their own already
    op.execute(ADD_NAME_TERMS)
    op.execute(COUNT_NAME_TERMS)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(REMOVE_NAME_TERMS)
    op.execute(UNCOUNT_NAME_TERMS)
