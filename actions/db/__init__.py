"""The data model, sessions, schema migrations (Alembic, docs/migrations.md) and the demo district. Imports actions and the kernel of bot."""
