"""Stores, and the clusters and elbow curve of the current stores."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from stockshift.api.deps import SessionDep, StateDep, ViewerKey
from stockshift.api.params import Offset
from stockshift.api.problems import responses
from stockshift.api.schemas import (
    ClusterPublic,
    ClustersPublic,
    Elbow,
    LatLon,
    StorePage,
    StorePublic,
)
from stockshift.core.clustering import centroids, cluster_stores
from stockshift.db.plans import latest_plan
from stockshift.db.stores import list_stores, load_stores

router = APIRouter(tags=["stores"])


@router.get(
    "/stores",
    operation_id="listStores",
    response_model=StorePage,
    responses=responses(401, 422),
)
def stores(
    session: SessionDep,
    state: StateDep,
    _key: ViewerKey,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
    offset: Offset = 0,
) -> StorePage:
    """Stores with position and cluster.

    ``cluster`` is the store's cluster in the newest computed plan, or else the stores
    file's own ``cluster`` column; ``region`` is always that column.
    """
    page = list_stores(session, limit=limit, offset=offset)
    plan = latest_plan(session)
    planned = state.plans.fixed(session, plan).store_clusters if plan else {}
    items = [
        StorePublic(
            store_id=s.store_id,
            name=s.name,
            lat=s.lat,
            lon=s.lon,
            cluster=planned.get(s.store_id, s.cluster),
            region=s.cluster,
            capacity=s.capacity,
        )
        for s in page.items
    ]
    return StorePage(items=items, total=page.total, limit=limit, offset=offset)


@router.get(
    "/clusters",
    operation_id="getClusters",
    response_model=ClustersPublic,
    responses=responses(401, 422),
)
def clusters(
    session: SessionDep,
    _key: ViewerKey,
    clusters: Annotated[
        str, Query(pattern=r"^(auto|column|[1-9][0-9]{0,3})$", description="auto, column or K.")
    ] = "auto",
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> ClustersPublic:
    """Cluster the current stores as a plan would (SPEC section 2), with the elbow curve."""
    st = load_stores(session)
    result = cluster_stores(st, clusters, seed=seed)
    lat, lon, radius = centroids(st, result)
    members: list[list[str]] = [[] for _ in result.names]
    for sid, code in zip(st.ids, result.codes, strict=True):
        members[int(code)].append(str(sid))
    return ClustersPublic(
        method=result.method,
        k=result.k,
        clusters=[
            ClusterPublic(
                cluster=name,
                store_ids=members[i],
                centroid=LatLon(lat=float(lat[i]), lon=float(lon[i])),
                radius_km=round(float(radius[i]), 3),
            )
            for i, name in enumerate(result.names)
        ],
        elbow=Elbow(k=list(result.k_values), wcss=list(result.wcss), chosen_k=result.chosen_k)
        if result.method == "auto" and result.k_values
        else None,
    )
