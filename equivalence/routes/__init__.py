"""The route registry: importing this package registers every family's routes."""

from . import compat_v1, contrib, keras, l1, layers, manual  # noqa: F401  (registration)
from .registry import ALL_DTYPES, ROUTES, Route, route  # noqa: F401


def by_name(name):
    """The route with this display name or this slug."""
    for r in ROUTES:
        if r.name == name or getattr(r, "slug", None) == name:
            return r
    raise KeyError("no route named %r; known: %s" % (name, ", ".join(r.name for r in ROUTES)))
