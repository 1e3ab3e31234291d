"""The FastAPI service of SPEC section 8: app factory, routers, auth, problem details."""
