"""The package's version, for the OpenAPI document and GET /api/v1/config."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    try:
        return version("stockshift")
    except PackageNotFoundError:  # a bare checkout without an install
        return "0"
