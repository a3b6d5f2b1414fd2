"""Tables of expected outcomes: rows keyed by probe, a selector on traits, and a version range.

A row says: for `probe`, on the subjects `routes` selects, in TensorFlow
versions [tf_min, tf_max), Keras flavours `flavours` and, when given, Keras 3
releases [keras_min, keras_max) and an installed package's range, the outcome is
`expect`. The first row that matches a (probe, subject, installed versions) triple
is that cell's expectation; a cell with no row fails the suite (the
table must cover every route in every env).

A selector reads a subject's traits, never its name (Route.traits()):
  "*"                                  every subject
  "family=contrib"                     a trait equal to a value
  "module=keras3|tf_keras"             one of several values
  "family=keras,container=layer"       all of them
Route traits: regularizer, family, module, penalty, convention (the regularizer's),
attachment, reader, container (what the attachment fills: value, variable,
collection, layer) and layer_module (the Keras module of a layer attachment).
Other areas give their subjects' traits (the Keras area: module; seeds: mode, init).
A selector naming any other key is an error, raised when the row is made.

`backends` names the Keras 3 backends a row holds on (KERAS_BACKEND, the report's keras_backend:
tensorflow, jax, torch, numpy; tox -m keras-backends); a row without it holds on every backend, so a
backend that behaves otherwise gets a row of its own before the general one.

The Keras range is compared with the Keras 3 that tf.keras is (flavour keras3, where the
installed `keras` package is the Keras of every Keras route; the "keras" field of Api.versions()
and of a release record): the keras-history envs (tox -m keras-history) pin one Keras 3 minor
release each on the same TensorFlow. A row with a Keras range covers no keras2 or legacy release,
and no keras3 release whose Keras version is unknown; a row without one covers every Keras of its
flavours, so the newest behaviour stays the unranged row and an older Keras gets a ranged row before it.

`dead_rows` finds rows that can never be a cell's expectation: they select
no subject, or every cell they cover is taken by an earlier row.
"""

from ..environment import parse_version

FLAVOURS = ("keras2", "keras3", "legacy")
ROUTE_TRAITS = ("regularizer", "family", "module", "penalty", "convention", "attachment", "reader", "container",
                "layer_module")


def parse_selector(selector, keys=ROUTE_TRAITS):
    """[(trait, {values})] for a selector ("*" -> []); ValueError for a malformed one or an unknown trait."""
    if selector == "*":
        return []
    out = []
    for part in selector.split(","):
        key, sep, values = part.partition("=")
        key = key.strip()
        if not sep or key not in keys or not values.strip():
            raise ValueError("selector %r: %r is not trait=value (traits: %s)" % (selector, part, ", ".join(keys)))
        out.append((key, set(v.strip() for v in values.split("|"))))
    return out


def selects(selector, traits, keys=ROUTE_TRAITS):
    return all(traits.get(key) in values for key, values in parse_selector(selector, keys))


class Row(object):
    KEYS = ROUTE_TRAITS

    def __init__(self, probe, routes, expect, tf_min=None, tf_max=None, flavours=FLAVOURS, note="",
                 upstream_bug="", installed=None, keras_min=None, keras_max=None, backends=None):
        self.probe, self.routes, self.expect = probe, routes, expect
        # the Keras 3 backends the row holds on (the "keras_backend" field of Api.versions()); None: every one
        self.backends = tuple(backends) if backends else None
        self.tf_min, self.tf_max, self.flavours = tf_min, tf_max, tuple(flavours)
        # (package, first version, first version without or None): the row also needs that package installed
        # in that range; package is a field of Api.versions() ("h5py"), so a recorded release is judged alike.
        self.installed = installed
        self.keras_min, self.keras_max = keras_min, keras_max
        self.note, self.upstream_bug = note, upstream_bug
        parse_selector(routes, self.KEYS)  # a malformed selector fails at import, not at lookup
        if self.keras_ranged() and self.flavours != ("keras3",):
            raise ValueError("row %s | %s: a Keras range (keras_min/keras_max) is a range of Keras 3 releases: "
                             "give it flavours=('keras3',)" % (probe, routes))

    def keras_ranged(self):
        return bool(self.keras_min or self.keras_max)

    def versions(self):
        lo = "TF >= %s" % self.tf_min if self.tf_min else ""
        hi = "TF < %s" % self.tf_max if self.tf_max else ""
        rng = ", ".join(p for p in (lo, hi) if p) or "every TF"
        if set(self.flavours) != set(FLAVOURS):
            rng += " (%s)" % "/".join(self.flavours)
        if self.installed:
            package, first, first_without = self.installed
            rng += ", with %s >= %s" % (package, first) + (" < %s" % first_without if first_without else "")
        klo = "Keras >= %s" % self.keras_min if self.keras_min else ""
        khi = "Keras < %s" % self.keras_max if self.keras_max else ""
        if klo or khi:
            rng += ", " + ", ".join(p for p in (klo, khi) if p)
        if self.backends:
            rng += ", KERAS_BACKEND=%s" % "/".join(self.backends)  # ("|" would split a Markdown table cell)
        return rng

    def covers(self, api):
        return self.covers_version(api.tf_version_tuple, api.keras_flavour, api.versions())

    def covers_version(self, version, flavour, installed=None):
        """Whether the row applies to TF `version` with Keras `flavour`; `installed`: the release's
        Api.versions() (a report's fields), needed only by a row with `installed` (absent: not covered)."""
        if self.tf_min and version < parse_version(self.tf_min):
            return False
        if self.tf_max and version >= parse_version(self.tf_max):
            return False
        installed = installed or {}
        if self.installed:
            package, first, first_without = self.installed
            if not _in_range(installed.get(package), first, first_without):
                return False
        if flavour not in self.flavours:
            return False
        if self.backends and installed.get("keras_backend", "tensorflow") not in self.backends:
            return False
        # tf.keras' version: the Keras 3 release under flavour keras3
        return not self.keras_ranged() or _in_range(installed.get("keras"), self.keras_min, self.keras_max)

    def selects(self, traits):
        return selects(self.routes, traits, self.KEYS)

    def bound(self, traits):
        """This row with its expectation resolved for one subject (Outcome.bind)."""
        bind = getattr(self.expect, "bind", None)
        if bind is None:
            return self
        expect = bind(traits)
        if expect is self.expect:
            return self
        row = Row.__new__(type(self))
        row.__dict__.update(self.__dict__)
        row.expect = expect
        return row

    def describe(self):
        text = "%s | %s | %s -> %r" % (self.probe, self.routes, self.versions(), self.expect)
        if self.note:
            text += "\n    note: %s" % self.note
        if self.upstream_bug:
            text += "\n    upstream bug: %s" % self.upstream_bug
        return text


def route_fields(route):
    return route.traits()


def _in_range(have, first, first_without):
    """A recorded version `have` in [first, first_without) (None: unbounded); an unknown version is in none."""
    if not have:
        return False
    v = parse_version(have)
    return not (first and v < parse_version(first)) and not (first_without and v >= parse_version(first_without))


def lookup(rows, probe, traits, api):
    for row in rows:
        if row.probe == probe and row.selects(traits) and row.covers(api):
            return row.bound(traits)
    return None


def dead_rows(rows, subjects, releases):
    """[(row, why)] for rows no cell can reach.

    subjects: {probe: [traits]} the cells of each probe; releases: [(version tuple, keras flavour,
    installed)] of the history matrix, installed: the release's recorded Api.versions() (Row.installed,
    keras_min / keras_max). A row is dead when it selects no subject of its probe, or when at
    every (subject, release) it selects and covers, an earlier row of the same probe matches first.
    """
    dead = []
    for i, row in enumerate(rows):
        chosen = [t for t in subjects.get(row.probe, []) if row.selects(t)]
        if not chosen:
            dead.append((row, "selects no subject of probe %r" % row.probe))
            continue
        earlier = [r for r in rows[:i] if r.probe == row.probe]
        reached = any(row.covers_version(v, f, inst) and not any(r.selects(t) and r.covers_version(v, f, inst)
                                                                   for r in earlier)
                      for t in chosen for v, f, inst in releases)
        if not reached:
            dead.append((row, "every cell it covers is taken by an earlier row"))
    return dead
