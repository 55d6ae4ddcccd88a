"""A story list that stays fast on 100,000 stories: keyword search on the text's trigrams.

SQLite: an FTS5 table with the trigram tokenizer (substring matches, ignoring case), kept in
step with stories_story by triggers. PostgreSQL: pg_trgm's GIN index on UPPER(redacted_text),
which Django's ``icontains`` uses. Where neither is available (SQLite without FTS5, no right to
create the extension), search still works, scanning the rows.
"""

from django.db import migrations, transaction

SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS stories_story_fts USING fts5("
    "redacted_text, content='stories_story', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS stories_story_fts_insert AFTER INSERT ON stories_story BEGIN "
    "INSERT INTO stories_story_fts(rowid, redacted_text) VALUES (new.id, new.redacted_text); END",
    "CREATE TRIGGER IF NOT EXISTS stories_story_fts_delete AFTER DELETE ON stories_story BEGIN "
    "INSERT INTO stories_story_fts(stories_story_fts, rowid, redacted_text) "
    "VALUES ('delete', old.id, old.redacted_text); END",
    "CREATE TRIGGER IF NOT EXISTS stories_story_fts_update AFTER UPDATE OF redacted_text "
    "ON stories_story BEGIN "
    "INSERT INTO stories_story_fts(stories_story_fts, rowid, redacted_text) "
    "VALUES ('delete', old.id, old.redacted_text); "
    "INSERT INTO stories_story_fts(rowid, redacted_text) VALUES (new.id, new.redacted_text); END",
    "INSERT INTO stories_story_fts(stories_story_fts) VALUES ('rebuild')",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS stories_story_fts_insert",
    "DROP TRIGGER IF EXISTS stories_story_fts_delete",
    "DROP TRIGGER IF EXISTS stories_story_fts_update",
    "DROP TABLE IF EXISTS stories_story_fts",
]
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS story_text_trgm ON stories_story "
    "USING gin (UPPER(redacted_text) gin_trgm_ops)",
]
# The story list's order (newest first, undated last). SQLite already puts NULLs last when
# sorting descending, so its (project, received_at) index serves; PostgreSQL needs this one.
POSTGRES_ORDER = [
    "CREATE INDEX IF NOT EXISTS story_project_newest ON stories_story "
    "(project_id, received_at DESC NULLS LAST, id DESC)",
]
POSTGRES_UNDO = [
    "DROP INDEX IF EXISTS story_text_trgm",
    "DROP INDEX IF EXISTS story_project_newest",
]


def _run(statements, schema_editor):
    try:
        with (
            transaction.atomic(using=schema_editor.connection.alias),
            schema_editor.connection.cursor() as cursor,
        ):
            for sql in statements:
                cursor.execute(sql)
    except Exception as exc:  # an optional speed-up: without it, search scans the rows
        print(f"\n  Keyword search index not created ({exc}); search will scan the stories.")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(SQLITE, schema_editor)
    elif vendor == "postgresql":
        _run(POSTGRES_ORDER, schema_editor)
        _run(POSTGRES, schema_editor)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(SQLITE_UNDO, schema_editor)
    elif vendor == "postgresql":
        _run(POSTGRES_UNDO, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("stories", "0002_story_sentiment_index")]

    operations = [migrations.RunPython(forwards, backwards)]
