"""Deliberately broken upstream APIs: the suite must fail on each of them.

A mutant is a record: its name, the API it breaks (as users spell it), what
the breakage is, what it needs installed, and `apply(api)`, which monkeypatches
the installed TensorFlow / Keras / contrib in this process. It is activated at
pytest start-up (conftest.py: `--mutant NAME` or REGEQUIV_MUTANT=NAME), before
any test runs, so every test sees the broken API exactly as a user would.
`python -m equivalence mutate` (mutation.py) runs the suite once clean and once
per mutant and prints the kill matrix.

`points_at` lists words of which at least one must appear in the failure
message: the proof that the message names the broken API, not only that
something failed. `owner` says which tests are expected to kill the mutant:
"values" (the equivalence suite: test_values, test_factor_of_two,
test_seed_documents) or "semantics" (the semantics tables: bad lambda,
collection entries, zero scale); OWNER_TESTS holds the test files of each,
which `mutate` runs against the mutant (`--whole-suite`: every test).

Adding a mutant is one `@mutant(...)` entry below.
"""

import functools
import numbers

from ..routes.registry import CONTRIB, Requirement, first_missing, registrar

MUTANTS = []

# A 0.1 % drift: the smallest error the suite promises to catch in float32.
DRIFT = 1.001

# "Accumulation in lower precision": the computation runs one precision down
# and is cast back. Half types have no narrower float, so they are left alone.
LOWER = {"float64": "float32", "float32": "float16"}


# The tests each owner's mutants must fail: the routes' values, the factor of two and
# the seed documents see every value; the lambda and collection tables see validation.
OWNER_TESTS = {
    "values": ("tests/test_values.py", "tests/test_factor_of_two.py", "tests/test_seed_documents.py"),
    "semantics": ("tests/test_semantics_lambda.py", "tests/test_semantics_collections.py"),
    # The converter runs in its own process (migration/run.py): a converter mutant is handed to it.
    "migration": ("tests/test_migration.py",),
    # The Keras model axis (routes/models.py) and the models table (semantics/model_table.py).
    "models": ("tests/test_models.py",),
}


class Mutant(object):
    def __init__(self, name, api_name, breakage, apply, points_at, owner="values", requires=()):
        self.name, self.api_name, self.breakage = name, api_name, breakage
        self.apply, self.points_at, self.owner = apply, tuple(points_at), owner
        self.requires = tuple(requires)

    def __repr__(self):
        return "Mutant(%s)" % self.name

    def unavailable(self, api):
        """Why the broken API does not exist here (the mutant is not applicable), or None."""
        return first_missing(self.requires, api)

    @property
    def tests(self):
        return list(OWNER_TESTS[self.owner])

    def points_at_api(self, text):
        return any(word in text for word in self.points_at)


# Decorator: register `apply` as the mutant `name` (see Mutant for the fields).
mutant = registrar(MUTANTS, lambda name, apply, **fields: Mutant(name=name, apply=apply, **fields), "mutant")


def by_name(name):
    for m in MUTANTS:
        if m.name == name:
            return m
    raise KeyError("no mutant named %r; known: %s" % (name, ", ".join(m.name for m in MUTANTS)))


# -- helpers ------------------------------------------------------------------

def keras_modules(api):
    """Every Keras module a user can reach here (tf.keras may be Keras 3 or tf_keras itself)."""
    return [m for m in (api.tf_keras_module, api.keras3, api.legacy_keras) if m is not None]


ANY_KERAS = Requirement("any Keras", lambda api: None if keras_modules(api) else
                        "no Keras module here: %s; %s; %s" % (api.tf_keras_module_reason, api.keras3_reason,
                                                               api.legacy_keras_reason))


def _unique(items):
    out = []
    for item in items:
        if not any(item is o for o in out):
            out.append(item)
    return out


def keras_l2_classes(api):
    """The class `regularizers.l2(x)` instantiates in each Keras (L1L2 up to Keras 2.2, L2 after)."""
    return _unique([type(m.regularizers.l2(0.01)) for m in keras_modules(api)])


def keras_dense_classes(api):
    return _unique([m.layers.Dense for m in keras_modules(api)])


def dtype_name(x):
    dt = getattr(x, "dtype", None)
    dt = getattr(dt, "base_dtype", dt)
    return getattr(dt, "name", None) or str(dt)


def in_lower_precision(api, fn, x):
    """fn(x) computed on x cast one precision down, cast back to x's dtype."""
    name = dtype_name(x)
    lower = LOWER.get(name)
    if lower is None:
        return fn(x)
    tf = api.tf
    return tf.cast(fn(tf.cast(tf.convert_to_tensor(x), getattr(tf, lower))), getattr(tf, name))


def wrap_contrib_l2(api, make):
    """Replace contrib's l2_regularizer by make(original)."""
    original = api.contrib.l2_regularizer
    api.contrib.l2_regularizer = functools.wraps(original)(make(original))


def wrap_keras_l2_call(api, make):
    for cls in keras_l2_classes(api):
        cls.__call__ = make(cls.__call__)


def wrap_l2_loss(api, make):
    """Replace the public tf.nn.l2_loss (and tf.compat.v1.nn.l2_loss) by make(original)."""
    original = api.tf.nn.l2_loss
    replacement = functools.wraps(original)(make(original))
    for nn in _unique([api.tf.nn, api.v1.nn]):
        nn.l2_loss = replacement


def regularization_key(api):
    return api.v1.GraphKeys.REGULARIZATION_LOSSES


def wrap_reg_collection(api, edit):
    """Graph.get_collection(REGULARIZATION_LOSSES) returns edit(entries): what every reader sees."""
    graph_cls = api.tf.Graph
    original = graph_cls.get_collection
    key = regularization_key(api)

    def get_collection(self, name, scope=None):
        items = original(self, name, scope)
        return edit(items) if name == key and items else items
    graph_cls.get_collection = get_collection


CONTRIB_WORDS = ("l2_regularizer", "REGULARIZATION_LOSSES", "get_regularization_loss")
KERAS_WORDS = ("regularizers.l2", "regularizers.L2")
L2_LOSS_WORDS = ("tf.nn.l2_loss",)
COLLECTION_WORDS = ("REGULARIZATION_LOSSES", "get_regularization_loss", "get_collection")


# -- a lost or doubled factor of two --------------------------------------------

@mutant("contrib-l2-loses-half", api_name="contrib.layers.l2_regularizer / tf_slim.l2_regularizer",
        breakage="returns scale * sum(w**2) (the 1/2 of tf.nn.l2_loss is lost)",
        points_at=CONTRIB_WORDS, requires=[CONTRIB])
def contrib_l2_loses_half(api):
    def make(original):
        def l2_regularizer(scale, scope=None):
            inner = original(scale, scope)
            return lambda w: _scaled(inner(w), 2.0)
        return l2_regularizer
    wrap_contrib_l2(api, make)


@mutant("keras-l2-halves", api_name="keras regularizers.l2 / L2 (every Keras module here)",
        breakage="returns l2 * sum(w**2) / 2 (the contrib convention)",
        points_at=KERAS_WORDS, requires=[ANY_KERAS])
def keras_l2_halves(api):
    wrap_keras_l2_call(api, lambda original: lambda self, x: original(self, x) * 0.5)


@mutant("nn-l2-loss-doubles", api_name="tf.nn.l2_loss",
        breakage="returns sum(w**2) instead of sum(w**2) / 2",
        points_at=L2_LOSS_WORDS)
def nn_l2_loss_doubles(api):
    wrap_l2_loss(api, lambda original: lambda t, name=None: original(t, name=name) * 2.0)


def _scaled(penalty, factor):
    return None if penalty is None else penalty * factor


# -- a scale that drifts by 0.1 % --------------------------------------------------

@mutant("contrib-l2-scale-drifts", api_name="contrib.layers.l2_regularizer / tf_slim.l2_regularizer",
        breakage="uses scale * 1.001", points_at=CONTRIB_WORDS, requires=[CONTRIB])
def contrib_l2_scale_drifts(api):
    def make(original):
        def l2_regularizer(scale, scope=None):
            return original(scale * DRIFT, scope)
        return l2_regularizer
    wrap_contrib_l2(api, make)


@mutant("keras-l2-scale-drifts", api_name="keras regularizers.l2 / L2 (every Keras module here)",
        breakage="returns 1.001 * l2 * sum(w**2)", points_at=KERAS_WORDS, requires=[ANY_KERAS])
def keras_l2_scale_drifts(api):
    wrap_keras_l2_call(api, lambda original: lambda self, x: original(self, x) * DRIFT)


# -- a loss dropped from, or duplicated in, the collection ----------------------------

@mutant("collection-drops-a-loss", api_name="tf.get_collection(GraphKeys.REGULARIZATION_LOSSES)",
        breakage="the last REGULARIZATION_LOSSES entry is missing from every read",
        points_at=COLLECTION_WORDS)
def collection_drops_a_loss(api):
    wrap_reg_collection(api, lambda items: items[:-1])


@mutant("collection-duplicates-a-loss", api_name="tf.get_collection(GraphKeys.REGULARIZATION_LOSSES)",
        breakage="the last REGULARIZATION_LOSSES entry is read twice",
        points_at=COLLECTION_WORDS)
def collection_duplicates_a_loss(api):
    wrap_reg_collection(api, lambda items: items + items[-1:])


# -- a regularizer argument silently ignored ----------------------------------------------

@mutant("get-variable-ignores-regularizer", api_name="tf.get_variable(regularizer=)",
        breakage="the regularizer argument is accepted and dropped",
        points_at=("get_variable",), requires=[CONTRIB])
def get_variable_ignores_regularizer(api):
    original = api.v1.get_variable

    @functools.wraps(original)
    def get_variable(*args, **kwargs):
        kwargs.pop("regularizer", None)
        return original(*args, **kwargs)
    api.v1.get_variable = get_variable


@mutant("keras-dense-ignores-kernel-regularizer",
        api_name="keras layers.Dense(kernel_regularizer=) (every Keras module here)",
        breakage="the kernel_regularizer argument is accepted and dropped",
        points_at=("kernel_regularizer",), requires=[ANY_KERAS])
def keras_dense_ignores_kernel_regularizer(api):
    # Patched in build, not __init__: Keras 3 reads __init__'s signature to serialize the layer.
    for cls in keras_dense_classes(api):
        cls.build = _forget_kernel_regularizer(cls.build)


def _forget_kernel_regularizer(build):
    @functools.wraps(build)
    def forgetful_build(self, *args, **kwargs):
        self.kernel_regularizer = None
        return build(self, *args, **kwargs)
    return forgetful_build


# -- models: model.losses, fit, the activity regularizer ---------------------------------------

def keras_model_classes(api):
    return _unique([m.Model for m in keras_modules(api)])


MODEL_WORDS = ("model.losses",)
_HIDDEN = [0]  # > 0 while a mutated fit / compile runs: Model.losses is empty to it


def _patch_model_losses(api, edit):
    """Model.losses returns edit(entries) (every Keras module here; the property is the Layer's)."""
    for cls in keras_model_classes(api):
        original = [c.__dict__["losses"] for c in cls.__mro__ if "losses" in c.__dict__][0]
        cls.losses = property(lambda self, original=original: edit(list(original.fget(self))))


@mutant("model-losses-repeats-an-entry", api_name="keras Model.losses (every Keras module here)",
        breakage="lists its first penalty twice (what TF 1.6 does to a called-again model)",
        points_at=MODEL_WORDS, owner="models", requires=[ANY_KERAS])
def model_losses_repeats_an_entry(api):
    _patch_model_losses(api, lambda entries: entries + entries[:1])


@mutant("fit-drops-the-penalty", api_name="keras Model.fit / Model.compile (every Keras module here)",
        breakage="the training loss leaves model.losses out (Model.losses is empty while fit or compile runs)",
        points_at=("model.fit",), owner="models", requires=[ANY_KERAS])
def fit_drops_the_penalty(api):
    _patch_model_losses(api, lambda entries: [] if _HIDDEN[0] else entries)
    for cls in keras_model_classes(api):
        for name in ("fit", "compile"):
            setattr(cls, name, _hiding(getattr(cls, name)))


def _hiding(method):
    @functools.wraps(method)
    def hidden(self, *args, **kwargs):
        _HIDDEN[0] += 1
        try:
            return method(self, *args, **kwargs)
        finally:
            _HIDDEN[0] -= 1
    return hidden


def _flip_batch_division(api, regularizer):
    """The activity regularizer with the release's batch convention flipped: times the batch size where
    Keras divides by it (TF >= 1.13: the division is lost), divided by it where Keras sums (gained)."""
    from ..semantics.model_table import activity_batch_mean
    tf = api.tf
    mean = activity_batch_mean(api)

    def flipped(y):
        b = tf.cast(tf.shape(y)[0], y.dtype)
        penalty = regularizer(y)
        return penalty * b if mean else penalty / b
    return flipped


@mutant("activity-batch-division-flips", api_name="keras layers.Dense(activity_regularizer=) (every Keras module here)",
        breakage="the activity penalty loses its division by the batch size (gains one where the release sums)",
        points_at=("activity_regularizer", "activity penalty"), owner="models", requires=[ANY_KERAS])
def activity_batch_division_flips(api):
    for cls in keras_dense_classes(api):
        cls.__call__ = _flipping_call(api, cls.__call__)


def _flipping_call(api, call):
    @functools.wraps(call)
    def flipping(self, *args, **kwargs):
        reg = getattr(self, "activity_regularizer", None)
        if reg is not None and not getattr(reg, "_flipped", False):
            flipped = _flip_batch_division(api, reg)
            flipped._flipped = True
            self.activity_regularizer = flipped
        return call(self, *args, **kwargs)
    return flipping


# -- precision policies and persistence --------------------------------------------------------

def _policy_is_float16(api):
    """True while some Keras module's global dtype policy is mixed_float16 (model_probes.policy_api)."""
    from ..semantics.model_probes import policy_api
    for keras in keras_modules(api):
        found = policy_api(keras)
        if found is not None and getattr(found[1](), "name", None) == "mixed_float16":
            return True
    return False


def _in_float16(api, fn, x):
    tf = api.tf
    name = dtype_name(x)
    return tf.cast(fn(tf.cast(tf.convert_to_tensor(x), tf.float16)), getattr(tf, name))


def _no_policy(api):
    from ..environment import parse_version
    from ..semantics.model_probes import policy_api
    for keras in keras_modules(api):
        if policy_api(keras) is not None and (keras is api.keras3 or api.tf_version_tuple >= parse_version("2.1")):
            return None
    return "no Keras here has a mixed precision policy (TF >= 2.1, or Keras 3)"


POLICY_REQUIREMENT = Requirement("a Keras mixed precision policy", _no_policy)


@mutant("policy-penalty-in-float16", api_name="keras regularizers.l2 / L2 under mixed_precision 'mixed_float16'",
        breakage="under a mixed_float16 policy the penalty is computed in float16 (the compute dtype) instead of "
                 "on the float32 variable: 1.2002 for 1.2, inf where sum(w**2) > 65504",
        points_at=("mixed_float16",), owner="models", requires=[ANY_KERAS, POLICY_REQUIREMENT])
def policy_penalty_in_float16(api):
    wrap_keras_l2_call(api, lambda original: lambda self, x: _in_float16(api, lambda y: original(self, y), x)
                       if _policy_is_float16(api) else original(self, x))


def keras_layer_classes(api):
    return _unique([m.layers.Layer for m in keras_modules(api)])


DROPPED_ON_RELOAD = "kernel_regularizer"


@mutant("reload-drops-a-regularizer", api_name="keras Layer.from_config (load_model, clone_model, from_config)",
        breakage="a layer rebuilt from its config loses its kernel_regularizer (what every reload and clone "
                 "goes through)",
        points_at=("from_config", "clone_model", "saved_", "persist_"), owner="models", requires=[ANY_KERAS])
def reload_drops_a_regularizer(api):
    for cls in keras_layer_classes(api):
        cls.from_config = classmethod(_forgetting_from_config(cls.from_config.__func__))


def _forgetting_from_config(original):
    @functools.wraps(original)
    def from_config(klass, config, *args, **kwargs):
        if isinstance(config, dict) and config.get(DROPPED_ON_RELOAD) is not None:
            config = dict(config)
            config[DROPPED_ON_RELOAD] = None
        return original(klass, config, *args, **kwargs)
    return from_config


# -- accumulation in lower precision ---------------------------------------------------------

@mutant("nn-l2-loss-lower-precision", api_name="tf.nn.l2_loss",
        breakage="float64 weights summed in float32, float32 in float16",
        points_at=L2_LOSS_WORDS)
def nn_l2_loss_lower_precision(api):
    wrap_l2_loss(api, lambda original: lambda t, name=None: in_lower_precision(api, original, t))


@mutant("contrib-l2-lower-precision", api_name="contrib.layers.l2_regularizer / tf_slim.l2_regularizer",
        breakage="float64 weights summed in float32, float32 in float16",
        points_at=CONTRIB_WORDS, requires=[CONTRIB])
def contrib_l2_lower_precision(api):
    def make(original):
        def l2_regularizer(scale, scope=None):
            inner = original(scale, scope)
            return lambda w: _none_or(inner(w), lambda: in_lower_precision(api, inner, w))
        return l2_regularizer
    wrap_contrib_l2(api, make)


def _none_or(probe, compute):
    """contrib's zero scale returns None: keep that, mutate only real penalties."""
    return None if probe is None else compute()


@mutant("keras-l2-lower-precision", api_name="keras regularizers.l2 / L2 (every Keras module here)",
        breakage="float64 weights summed in float32, float32 in float16",
        points_at=KERAS_WORDS, requires=[ANY_KERAS])
def keras_l2_lower_precision(api):
    wrap_keras_l2_call(api, lambda original: lambda self, x: in_lower_precision(
        api, lambda y: original(self, y), x))


# -- semantics: validation removed, zero scale adds a tensor (the semantics tables' job) -------

def contrib_l2_special_case(api, applies, penalty):
    """contrib's l2_regularizer, except that for a scale where applies(scale) it returns
    w -> penalty(tf, scale, w) instead of validating or returning None."""
    def make(original):
        def l2_regularizer(scale, scope=None):
            if applies(scale):
                return lambda w: penalty(api.tf, scale, w)
            return original(scale, scope)
        return l2_regularizer
    wrap_contrib_l2(api, make)


def _is_bad_scale(scale):
    return isinstance(scale, numbers.Integral) or (isinstance(scale, numbers.Real) and scale < 0)


def _is_float_zero(scale):
    return isinstance(scale, numbers.Real) and not isinstance(scale, numbers.Integral) and scale == 0


@mutant("contrib-l2-accepts-bad-scale", api_name="contrib.layers.l2_regularizer / tf_slim.l2_regularizer",
        breakage="validation removed: a negative or integer scale is accepted instead of raising ValueError",
        points_at=CONTRIB_WORDS, owner="semantics", requires=[CONTRIB])
def contrib_l2_accepts_bad_scale(api):
    contrib_l2_special_case(api, _is_bad_scale, lambda tf, scale, w: tf.multiply(
        tf.cast(float(scale), w.dtype.base_dtype), tf.nn.l2_loss(w)))


@mutant("contrib-l2-zero-scale-adds-tensor", api_name="contrib.layers.l2_regularizer / tf_slim.l2_regularizer",
        breakage="scale 0.0 returns a zero tensor (one more collection entry) instead of None",
        points_at=CONTRIB_WORDS, owner="semantics", requires=[CONTRIB])
def contrib_l2_zero_scale_adds_tensor(api):
    contrib_l2_special_case(api, _is_float_zero, lambda tf, scale, w: tf.zeros([], dtype=w.dtype.base_dtype))


# -- the converter: tf_upgrade_v2's mapping of contrib's l2_regularizer ---------------------

def _converter_missing(api):
    if not api.tf2:
        return "TF %s: the migration run converts only on TF 2.x (TF 1.x runs the originals)" % api.tf_version
    import sys
    from ..migration.run import converter_available
    return converter_available(sys.executable)


TF_UPGRADE_V2 = Requirement("tf_upgrade_v2 of a TF 2.x release", _converter_missing)


@mutant("converter-l2-drops-half",
        api_name="tf_upgrade_v2: contrib.layers.l2_regularizer(scale) -> tf.keras.regularizers.l2(0.5 * (scale))",
        breakage="the 0.5 * is dropped: l2(l=(scale)), the Keras (full) convention, twice the penalty",
        points_at=("tf_upgrade_v2",), owner="migration", requires=[TF_UPGRADE_V2])
def converter_l2_drops_half(api):
    """Nothing to patch here: the converter runs in a subprocess, and migration/run.py hands the
    active converter mutant to migration/convert.py, which patches the converter's transformer."""


def converter_mutant():
    """The name of the active converter mutant, or None (read by the migration run)."""
    for m in ACTIVE:
        if m.owner == "migration":
            return m.name
    return None


# -- activation -----------------------------------------------------------------------

ACTIVE = []


def activate(name):
    """Break the named API in this process (once). Raises LookupError when it does not exist here."""
    from ..environment import get_api
    m = by_name(name)
    if m in ACTIVE:
        return m
    api = get_api()
    reason = m.unavailable(api)
    if reason:
        raise LookupError("mutant %s is not applicable here: %s" % (m.name, reason))
    m.apply(api)
    ACTIVE.append(m)
    return m
