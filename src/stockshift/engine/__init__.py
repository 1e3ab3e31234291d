"""Engines that run the core's planning somewhere else than in this one process."""
