"""The inventory database: tables, engine, migrations and repository functions."""
