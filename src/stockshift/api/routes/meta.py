"""Health, server configuration for the dashboard, the caller's identity, and keys."""

from __future__ import annotations

from fastapi import APIRouter

from stockshift.api.app_info import package_version
from stockshift.api.deps import AdminKey, SessionDep, StateDep, ViewerKey
from stockshift.api.problems import responses
from stockshift.api.schemas import ConfigPublic, Health, KeyCreate, KeyCreated, MePublic
from stockshift.db.keys import create_key

router = APIRouter(tags=["meta"])


@router.get("/health", operation_id="getHealth", response_model=Health)
async def health() -> Health:
    """Liveness; the only path that needs no key. Answered on the event loop: it touches
    nothing that blocks, so it costs no thread-pool hop (the load benchmark's floor)."""
    return Health()


@router.get(
    "/config", operation_id="getConfig", response_model=ConfigPublic, responses=responses(401)
)
def config(state: StateDep, _key: ViewerKey) -> ConfigPublic:
    """Settings the dashboard uses: the map tile URL template and its attribution, and the
    length beyond which an intra-cluster line is flagged."""
    s = state.settings
    return ConfigPublic(
        version=package_version(),
        tile_url=s.tile_url,
        tile_attribution=s.tile_attribution,
        intra_cluster_warn_km=s.intra_cluster_warn_km,
    )


@router.get("/me", operation_id="getMe", response_model=MePublic, responses=responses(401))
def me(key: ViewerKey) -> MePublic:
    """The calling key's id, name and role, so a client can show only what it may do."""
    return MePublic(key_id=key.key_id, name=key.name, role=key.role)


@router.post(
    "/keys",
    operation_id="createKey",
    status_code=201,
    response_model=KeyCreated,
    responses=responses(400, 401, 403, 413, 422),
)
def new_key(body: KeyCreate, session: SessionDep, _key: AdminKey) -> KeyCreated:
    """Make an API key (admin). The secret is in this response only; it is stored hashed."""
    row, secret = create_key(session, role=body.role, name=body.name)
    return KeyCreated(key_id=row.id, role=body.role, name=row.name, key=secret)
