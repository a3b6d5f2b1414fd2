"""Tables of expected outcomes: rows keyed by probe, route selector and version range.

A row says: for `probe`, on the routes `routes` selects, in TensorFlow
versions [tf_min, tf_max) and Keras flavours `flavours`, the outcome is
`expect`. The first row that matches a (probe, route, installed versions)
triple is that cell's expectation; a cell with no row fails the suite (the
table must cover every route in every env).

`routes` selects by the route's fields, never by test code:
  "*"                  every route
  "family=keras"       a field equal to a value (family, penalty, convention name)
  "family=keras,penalty=l2"   all of them
  an exact route name  one route
"""

from ..environment import parse_version

FLAVOURS = ("keras2", "keras3", "legacy")


class Row(object):
    def __init__(self, probe, routes, expect, tf_min=None, tf_max=None, flavours=FLAVOURS, note="",
                 upstream_bug=""):
        self.probe, self.routes, self.expect = probe, routes, expect
        self.tf_min, self.tf_max, self.flavours = tf_min, tf_max, tuple(flavours)
        self.note, self.upstream_bug = note, upstream_bug

    def versions(self):
        lo = "TF >= %s" % self.tf_min if self.tf_min else ""
        hi = "TF < %s" % self.tf_max if self.tf_max else ""
        rng = ", ".join(p for p in (lo, hi) if p) or "every TF"
        if set(self.flavours) != set(FLAVOURS):
            rng += " (%s)" % "/".join(self.flavours)
        return rng

    def covers(self, api):
        v = api.tf_version_tuple
        if self.tf_min and v < parse_version(self.tf_min):
            return False
        if self.tf_max and v >= parse_version(self.tf_max):
            return False
        return api.keras_flavour in self.flavours

    def selects(self, route_key):
        return selects(self.routes, route_key)

    def describe(self):
        text = "%s | %s | %s -> %r" % (self.probe, self.routes, self.versions(), self.expect)
        if self.note:
            text += "\n    note: %s" % self.note
        if self.upstream_bug:
            text += "\n    upstream bug: %s" % self.upstream_bug
        return text


FIELDS = ("family", "penalty", "convention")


def route_fields(route):
    return {"family": route.family, "penalty": route.penalty, "convention": route.convention.name,
            "name": route.name}


def selects(selector, route_key):
    """`route_key` is a route (its fields) or a plain name for probes that are not routes."""
    fields = route_key if isinstance(route_key, dict) else {"name": route_key}
    if selector == "*" or selector == fields.get("name"):
        return True
    parts = [p.partition("=") for p in selector.split(",")]
    if not all(key.strip() in FIELDS and sep for key, sep, _ in parts):
        return False  # an exact route name (names may contain '=' and ','), and not this one
    for part in selector.split(","):
        key, _, value = part.partition("=")
        if fields.get(key.strip()) != value.strip():
            return False
    return True


def lookup(rows, probe, route_key, api):
    for row in rows:
        if row.probe == probe and row.selects(route_key) and row.covers(api):
            return row
    return None
