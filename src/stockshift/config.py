"""The service's settings: one class, read from ``STOCKSHIFT_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


class Settings(BaseSettings):
    """Everything the service can be told; each field is documented in docs/api.md."""

    model_config = SettingsConfigDict(env_prefix="STOCKSHIFT_", extra="ignore")

    database_url: str = Field(
        "sqlite:///var/stockshift.db",
        description="SQLAlchemy URL: a SQLite file, or postgresql+psycopg://user@host/db.",
    )
    web_dist: Path = Field(
        PACKAGE_DIR / "web_dist",
        description="Folder of the built dashboard, served at / when it exists.",
    )
    tile_url: str = Field(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        description="Map tile URL template handed to the dashboard by GET /api/v1/config.",
    )
    tile_attribution: str = Field(
        "© OpenStreetMap contributors", description="Attribution shown under the map tiles."
    )
    intra_cluster_warn_km: float = Field(
        300.0,
        gt=0,
        description="The dashboard warns of a cluster whose intra-cluster lines run longer "
        "than this many km (a cluster too wide to be one region).",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser; empty means CORS is off.",
    )
    max_body_bytes: int = Field(
        1 << 20, ge=1024, description="Largest JSON request body, in bytes (413 beyond)."
    )
    max_upload_bytes: int = Field(
        1 << 30, ge=1024, description="Largest multipart import upload, in bytes (413 beyond)."
    )
    max_inflated_bytes: int = Field(
        2 << 30,
        ge=1024,
        description="Largest size a .gz import file may inflate to, in bytes (413 beyond).",
    )
    upload_dir: Path | None = Field(
        None,
        description="Folder for import uploads while they are read (default: "
        "stockshift-uploads under the system temp folder); emptied of dead imports at start-up.",
    )
    event_token_seconds: int = Field(
        300,
        ge=10,
        le=3600,
        description="Lifetime of the event-stream tokens of POST /api/v1/events/token, seconds.",
    )
    plan_queue: int = Field(
        8,
        ge=1,
        le=1000,
        description="Plans waiting or running at once; POST /api/v1/plans beyond is 429.",
    )
    plan_workers: int = Field(1, ge=1, le=8, description="Plans computed at the same time.")
    plan_mode: Literal["process", "thread"] = Field(
        "process",
        description="Compute plans in worker processes (the default: reads are never stalled "
        "by a plan) or in threads of the server (an in-memory SQLite database always does).",
    )
    request_threads: int = Field(
        6,
        ge=1,
        le=200,
        description="Threads per server process that run the routes doing database work; "
        "requests beyond wait on the event loop.",
    )
    key_cache_seconds: float = Field(
        5.0,
        ge=0,
        le=300,
        description="How long a server process trusts an API key it has checked, seconds: a "
        "key revoked in the database is refused within this time; 0 checks every request.",
    )
    read_cache_mib: float = Field(
        32.0,
        ge=0,
        le=4096,
        description="MiB per server process of answers to finished plans' reads (document, "
        "pages, summary, flows) kept and sent again while the plan is unchanged; 0 keeps none.",
    )
    workers: int = Field(
        1,
        ge=1,
        le=32,
        description="Server processes of stockshift serve (set by --workers); with more than "
        "one, serve marks interrupted plans failed once before they start.",
    )
