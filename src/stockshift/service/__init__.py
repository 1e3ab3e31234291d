"""Application services: the use cases the API and the CLI share (database -> core -> database)."""
