"""Tests of the demo data generator and ``stockshift demo``."""
