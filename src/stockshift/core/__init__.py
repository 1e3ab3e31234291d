"""Pure planning logic: arrays in, frozen dataclasses out. No I/O, no database, no web."""
