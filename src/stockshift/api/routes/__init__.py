"""One router per resource; :data:`ROUTERS` is what the app mounts under /api/v1."""

from stockshift.api.routes import (
    backtests,
    events,
    imports,
    inventory,
    meta,
    plans,
    planviews,
    sales,
    stores,
    transfers,
)

ROUTERS = [
    meta.router,
    stores.router,
    inventory.router,
    imports.router,
    sales.router,
    plans.router,
    planviews.router,
    backtests.router,
    transfers.router,
    events.router,
]
