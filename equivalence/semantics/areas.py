"""The five areas: which cells each has, how a cell is observed, and how it is judged.

A cell key is [area, probe id, subject]: the subject is a route name (lambda
and weights areas), "REGULARIZATION_LOSSES" (collections area), a Keras
module prefix (Keras area) or a Keras module prefix / "contrib" (models area).
The tables live in lambda_table.py, weight_table.py, collection_table.py,
keras_table.py and model_table.py (observed by model_probes.py).

Every cell is observed in a contained worker (runner.py); `observe_keys` starts
one worker per set of worker options a probe needs, for all the areas at once (the models area's
MirroredStrategy probes need two logical CPU devices, set before TensorFlow
initializes).
"""

from ..routes import ROUTES, by_name
from ..routes.regularizers import FLAVOURS, KERAS_MODULE_OF_SUBJECT
from . import probes
from .table import lookup, route_fields

COLLECTION_SUBJECT = "REGULARIZATION_LOSSES"


class Area(object):
    def __init__(self, name, cells, unavailable, observe, context, subject_fields, rows, options=None):
        self.name = name
        self.cells = cells                    # () -> [(probe id, subject)], the same in every env
        self.unavailable = unavailable        # (api, probe id, subject) -> reason or None
        self._observe = observe               # (api, probe id, subject) -> observation
        self.context = context                # (api, probe id, subject) -> probes.Context
        self.subject_fields = subject_fields  # subject -> the fields table selectors read
        self._rows = rows                     # () -> the table's rows
        # probe id -> what the worker sets up before TensorFlow starts (runner.run_cells options)
        self.options = options or (lambda probe_id: {})

    @property
    def rows(self):
        return self._rows()

    def keys(self):
        return [[self.name, p, s] for p, s in self.cells()]

    def row_for(self, api, probe_id, subject):
        return lookup(self.rows, probe_id, self.subject_fields(subject), api)


def _lambda_probe(pid):
    return [p for p in probes.LAMBDA_PROBES if p.id == pid][0]


def _scenario(scenarios, pid):
    return [s for s in scenarios() if s.id == pid][0]


def _flavour(prefix):
    return [f for f in FLAVOURS if f[0] == prefix][0]


def _lam_rows():
    from .lambda_table import ROWS
    return ROWS


def _collection_rows():
    from .collection_table import ROWS
    return ROWS


def _keras_rows():
    from .keras_table import ROWS
    return ROWS


def _weights_rows():
    from .weight_table import ROWS
    return ROWS


LAMBDA = Area(
    "lambda",
    cells=lambda: [(p.id, r.name) for r in ROUTES for p in probes.LAMBDA_PROBES],
    unavailable=lambda api, pid, subject: by_name(subject).unavailable(api, observed=True),
    observe=lambda api, pid, subject: probes.lambda_probe(api, by_name(subject), _lambda_probe(pid)),
    context=lambda api, pid, subject: probes.lambda_context(api, by_name(subject), _lambda_probe(pid)),
    subject_fields=lambda subject: route_fields(by_name(subject)),
    rows=_lam_rows)

COLLECTIONS = Area(
    "collections",
    cells=lambda: [(s.id, COLLECTION_SUBJECT) for s in probes.collection_scenarios()],
    unavailable=lambda api, pid, subject: _scenario(probes.collection_scenarios, pid).unavailable(api),
    observe=lambda api, pid, subject: probes.collection_probe(api, _scenario(probes.collection_scenarios, pid)),
    context=lambda api, pid, subject: probes.collection_context(api),
    subject_fields=lambda subject: {"container": "collection"},
    rows=_collection_rows)

KERAS = Area(
    "keras",
    cells=lambda: [(s.id, f[0]) for f in FLAVOURS for s in probes.keras_scenarios()],
    unavailable=lambda api, pid, subject: _flavour(subject)[1].missing(api),
    observe=lambda api, pid, subject: probes.keras_probe(
        api, _scenario(probes.keras_scenarios, pid), _flavour(subject)[2](api), _flavour(subject)[3]),
    context=lambda api, pid, subject: probes.keras_context(api),
    subject_fields=lambda subject: {"module": KERAS_MODULE_OF_SUBJECT[subject]},
    rows=_keras_rows)

def _weight_probe(pid):
    return [p for p in probes.WEIGHT_PROBES if p.id == pid][0]


WEIGHTS = Area(
    "weights",
    cells=lambda: [(p.id, r.name) for r in ROUTES for p in probes.WEIGHT_PROBES],
    unavailable=lambda api, pid, subject: probes.weight_unavailable(api, by_name(subject), _weight_probe(pid)),
    observe=lambda api, pid, subject: probes.weight_probe(api, by_name(subject), _weight_probe(pid)),
    context=lambda api, pid, subject: probes.weight_context(api, by_name(subject), _weight_probe(pid)),
    subject_fields=lambda subject: route_fields(by_name(subject)),
    rows=_weights_rows)


def _model_probes():
    from . import model_probes
    return model_probes


def _model_rows():
    from .model_table import ROWS
    return ROWS


MODELS = Area(
    "models",
    cells=lambda: _model_probes().cells(),
    unavailable=lambda api, pid, subject: _model_probes().unavailable(api, pid, subject),
    observe=lambda api, pid, subject: _model_probes().observe(api, pid, subject),
    context=lambda api, pid, subject: None,  # every models row is a Detail or a Raises: no per-route binding
    subject_fields=lambda subject: _model_probes().subject_fields(subject),
    rows=_model_rows,
    options=lambda pid: _model_probes().worker_options(pid))

AREAS = {a.name: a for a in (LAMBDA, COLLECTIONS, KERAS, WEIGHTS, MODELS)}


def observe_cells(area, keys):
    """{tuple(key): observation} for `keys` of `area` (observe_keys)."""
    return observe_keys(keys)


def observe_keys(keys):
    """{tuple(key): observation} for `keys` of any areas, each observed in a contained worker: one worker
    per distinct set of options, whatever the areas (most cells need none; the models area's distribution
    probes need two logical CPUs). One worker for all the areas, not one each: a worker's start (importing
    TensorFlow and the APIs) costs as much as hundreds of cells (docs/PERFORMANCE.md)."""
    from .runner import run_cells
    groups = {}
    for key in keys:
        options = AREAS[key[0]].options(key[1])
        groups.setdefault(tuple(sorted(options.items())), []).append(key)
    observed = {}
    for options, group in sorted(groups.items()):
        observed.update(run_cells(group, options=dict(options)))
    return observed


def observe(api, key):
    area, pid, subject = key
    try:
        return AREAS[area]._observe(api, pid, subject)  # noqa: SLF001
    except Exception as exc:  # a probe's own failure, reported as the cell's outcome
        return {"raised": type(exc).__name__, "message": "probe error: %s" % exc}
