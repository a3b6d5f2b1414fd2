"""The regularizer axis: what computes the penalty, and so which convention it follows.

A regularizer record is everything the suite knows about one regularizer:
how a user spells it, its module and family, its penalty kind and convention
(the NumPy reference follows from them), how it stores lambda, the kernels it
reaches, what it needs installed, and which plumbing (attachment x reader
pairs, plumbing.py) it is crossed with. The convention belongs here, not to
the API that reads a collection: a Keras `l2` read through
`tf.losses.get_regularization_loss()` is still lambda * sum(w**2).

Adding a regularizer is one `Regularizer(...)` in REGULARIZERS (docs/ARCHITECTURE.md
walks OrthogonalRegularizer through it).
"""

from ..numerics import reference
from ..numerics.reference import FULL, HALF
from .plumbing import EVERY_PAIR, PAIRWISE, THREE_KINDS, DIRECT_AND_ONE_CONTAINER
from .registry import (ABS, ARITHMETIC, CONTRIB, KERAS2, KERAS3, KERAS_L2_GRADIENT_KERNELS, KERAS_L2_KERNELS, L2LOSS,
                       ALL_DTYPES, LEGACY_KERAS, MATRIX_2, TF_KERAS, HALF_L2_KERNELS, MATMUL, Requirement, keras3_absent,
                       keras3_in, keras_backend, since_tf)

# |w| and its sum; the contrib L1+L2 penalties add L2Loss (their L2 term is l2_regularizer).
L1_KERNELS = (ABS, ARITHMETIC)
CONTRIB_L1_L2_KERNELS = (ABS, ARITHMETIC, L2LOSS)
ORTHOGONAL_KERNELS = (ARITHMETIC, ABS, MATMUL)


class Regularizer(object):
    """One regularizer.

    name        the slug's first part (`contrib-l2`, `keras3-l1`): letters, digits, `_`, `.`, `-`
    spelling    how a user writes it, with `scale` for lambda (goes into the route's API text)
    family      contrib | keras | manual (written by hand, or by tf_upgrade_v2)
    module      contrib | tf.keras | keras3 | tf_keras | keras2 (standalone Keras 2.0-2.3) | tf: the module the user
                imports it from
    penalty     l2 | l1 | l1_l2 | orthogonal
    convention  reference.HALF or FULL: what the L2 term is multiplied by
    make        (api, lam) -> a callable regularizer: weights -> penalty tensor (or None)
    requires    Requirements (registry.py) for the regularizer to exist
    kernels     registry.Kernel records its penalty reaches (dtype availability follows from them)
    gradient_kernels  what the gradient of its penalty adds
    lambda_precision  the dtype lambda is stored in ("float32": Keras' floatx), None: as given; or
                (api) -> that, where it differs between releases (api None: the newest release's)
    keras_module      (api) -> the Keras module whose layers go with it (Keras regularizers only)
    plumbing    a plumbing.Crossing: which attachment x reader pairs it is crossed with, and why
    zero_lambda_requires  a Requirement for lambda == 0 where some releases reject it
    kernel_shape  a registry.KernelShape the penalty needs (None: any tensor)
    dtypes      the weight dtypes it is tested with (kernels decide which of them a release has)
    dtype_requires  dtype -> a Requirement that is not a kernel's (the tests hold it: declared absent must fail)
    notes       what a maintainer should know that the fields do not say
    needs_tensorflow  it computes with TensorFlow ops itself (default: modules tf and contrib), so a route
                with Keras in it needs the TensorFlow backend (registry.on_tensorflow_backend)
    """

    def __init__(self, name, spelling, family, module, penalty, convention, make, requires=(), kernels=(),
                 gradient_kernels=(), lambda_precision=None, keras_module=None, plumbing=PAIRWISE,
                 zero_lambda_requires=None, kernel_shape=None, dtypes=ALL_DTYPES, dtype_requires=None, notes="",
                 needs_tensorflow=None):
        self.name, self.spelling, self.family, self.module = name, spelling, family, module
        self.penalty, self.convention, self.make = penalty, convention, make
        self.requires, self.kernels, self.gradient_kernels = tuple(requires), tuple(kernels), tuple(gradient_kernels)
        self.lambda_precision, self.keras_module, self.plumbing = lambda_precision, keras_module, plumbing
        self.zero_lambda_requires, self.kernel_shape, self.notes = zero_lambda_requires, kernel_shape, notes
        self.dtypes, self.dtype_requires = tuple(dtypes), dict(dtype_requires or {})
        self.needs_tensorflow = module in ("tf", "contrib") if needs_tensorflow is None else needs_tensorflow

    def __repr__(self):
        return "Regularizer(%s)" % self.name

    def reference(self, weights, lam, api=None):
        """The NumPy float64 reference (reference.py) of this penalty on `weights` with `lam`.

        `api` (the installed release) picks what differs between releases: the normalization and
        the sum of OrthogonalRegularizer (reference.orthogonal)."""
        if self.penalty == "l2":
            return reference.l2(weights, lam, self.convention)
        if self.penalty == "l1":
            return reference.l1(weights, lam)
        if self.penalty == "l1_l2":
            return reference.l1_l2(weights, lam, lam, self.convention)
        if self.penalty == "orthogonal":
            normalization, absolute = orthogonal_model(api, self.module)
            return reference.orthogonal(weights, lam, mode="rows", normalization=normalization, absolute=absolute)
        raise ValueError("unknown penalty %r" % self.penalty)

    def lambda_precision_for(self, api):
        """The dtype lambda is stored in on this install (None: as given); `api` None: the newest release's."""
        p = self.lambda_precision
        return p(api) if callable(p) else p


def orthogonal_model(api, module):
    """(normalization, absolute) of OrthogonalRegularizer in `module` on this release (reference.py's
    block comment has the sources): Keras 3 (tf.keras from TF 2.16 unless TF_USE_LEGACY_KERAS)
    normalizes with its own guard; Keras 2 with tf.math.l2_normalize; Keras 2.9 sums G_ij without abs."""
    keras3 = module == "keras3" or (module == "tf.keras" and api is not None and api.keras_flavour == "keras3")
    if keras3:
        return reference.KERAS_3, True
    version = getattr(api, "keras_version", "") or ""
    return reference.L2_NORMALIZE, not (module == "tf.keras" and version.startswith("2.9."))


def _contrib(function_name, **fixed):
    """A contrib / tf_slim regularizer factory called with `scale` (or the keywords in `fixed`)."""
    def make(api, lam):
        factory = getattr(api.contrib, function_name)
        return factory(**{k: lam for k in fixed}) if fixed else factory(scale=lam)
    return make


def _contrib_sum(api, lam):
    c = api.contrib
    return c.sum_regularizer([c.l1_regularizer(scale=lam), c.l2_regularizer(scale=lam)])


def _keras(module_of, attr, **keywords):
    def make(api, lam):
        factory = getattr(module_of(api).regularizers, attr)
        return factory(**{k: lam for k in keywords}) if keywords else factory(lam)
    return make


def _l2_loss_by_hand(api, lam):
    return lambda w: lam * api.tf.nn.l2_loss(w)


def _sum_of_squares_by_hand(api, lam):
    return lambda w: lam * api.tf.reduce_sum(api.tf.square(w))


def _upgrade_v2(api, lam):
    return api.tf_keras_module.regularizers.l2(0.5 * (lam))


# -- Keras 3 releases before 3.14 (the keras-history envs, tox -m keras-history; docs/MATRIX.md) ---------------
# L2 / L1L2 multiply by lambda as given (a Python float, so the product takes the weights' dtype: 0.1 stays 0.1
# with float64 weights), where 3.14 and later multiply by float32(lambda). Measured: 3.0.5 ... 3.13.2 as given,
# 3.14.1 and 3.15.1 float32 (the weights table's float64_lambda_0.1 cell changes between 3.13.2 and 3.14.1 only).
K3_LAMBDA_AS_GIVEN_UNTIL = "3.14"
# L1 multiplies the |w| sum by a tensor of lambda's own dtype (float32 for a Python float): float16, bfloat16 and
# float64 weights raise InvalidArgumentError (cannot compute Mul) before 3.14 (the weights table's float16,
# bfloat16 and float64 cells change between 3.13.2 and 3.14.1 only).
K3_L1_OWN_DTYPE_UNTIL = "3.14"


# Keras 3.14+ L2 / L1L2 multiply by ops.cast(lambda, x.dtype) of the Python float. On the TensorFlow backend that
# converts it to a float32 tensor first (tf.convert_to_tensor, then tf.cast); the torch, jax and numpy backends
# convert the float to x.dtype directly (keras/src/backend/{torch,jax,numpy}/core.py cast): with float64 weights
# lambda is 0.1 there and float32(0.1) on TensorFlow (measured: tox -m keras-backends, Keras 3.15.1).
def _keras_lambda_precision(module, penalty):
    """(api) -> the dtype a Keras `penalty` regularizer of `module` stores lambda in on that install."""
    if penalty in ("l1", "orthogonal"):
        return "float32"  # a float32 tensor (L1 before 3.14), floatx from 3.14; Orthogonal: a float32 factor
    before = keras3_in(module, None, K3_LAMBDA_AS_GIVEN_UNTIL)
    keras3 = keras3_in(module, None, None)
    return lambda api: None if before(api) or keras3(api) and keras_backend(api) != "tensorflow" else "float32"


def _keras3_l1_dtypes(module):
    """{dtype: Requirement}: the weight dtypes Keras 3 L1 of `module` rejects before 3.14."""
    return {d: keras3_absent(module, None, K3_L1_OWN_DTYPE_UNTIL, "L1 multiplies by a float32 lambda tensor: %s "
                             "weights raise InvalidArgumentError (cannot compute Mul)" % d,
                             raises="InvalidArgumentError")
            for d in ("float16", "bfloat16", "float64")}


CONTRIB_NO_ZERO_SUM = since_tf("1.15", "sum_regularizer of zero-scale regularizers (TF 1.6 calls "
                                       "add_n([None, None]) and raises ValueError)")


# Keras 3 holds OrthogonalRegularizer's factor as a floatx (float32) tensor and multiplies the penalty by it:
# a float64 kernel raises InvalidArgumentError ("cannot compute Mul ... expected to be a float tensor but
# is a double tensor"), measured on Keras 3.15 / TF 2.21.
def _keras3_orthogonal_float64(always):
    """Keras 3 OrthogonalRegularizer: no float64 kernels (for tf.keras, only where tf.keras is Keras 3)."""
    why = "Keras 3 OrthogonalRegularizer multiplies by a float32 factor tensor: float64 kernels raise InvalidArgumentError"
    # only TensorFlow refuses the mix (torch promotes the factor, jax has no float64 without x64); torch's float64
    # Gram matrix is float32 (BACKEND_FLOAT64_MATMUL)
    def missing(api):
        if not (always or api.keras_flavour == "keras3"):
            return None
        return why if keras_backend(api) == "tensorflow" else BACKEND_FLOAT64_MATMUL.missing(api)
    return Requirement("a float64 OrthogonalRegularizer", missing, inaccurate=BACKEND_FLOAT64_MATMUL.missing)


# Upstream bug keras-team/keras#23704 (open; measured on Keras 3.15.1, torch 2.13.0 CPU): on the torch backend
# ops.matmul of two float64 tensors returns float32 (backend/torch/numpy.py matmul takes its result dtype from
# dtypes.result_type, which maps 64-bit floats to 32-bit off TensorFlow: the cause keras-team/keras#23223 names),
# so OrthogonalRegularizer's Gram matrix, and the float64 penalty made from it, carry float32 precision (relative
# error ~1e-7 against float64's ~1e-15). The NumPy backend's matmul (backend/numpy/numpy.py) takes the same
# result_type and casts to it: the same on Keras 3.15.1 there. Minimal reproduction:
#   KERAS_BACKEND=torch python -c "import keras; a = keras.ops.ones((2, 2), dtype='float64');
#   print(keras.ops.matmul(a, a).dtype)"     # torch.float32 (KERAS_BACKEND=numpy: float32)
FLOAT64_MATMUL_BACKENDS = ("torch", "numpy")
BACKEND_FLOAT64_MATMUL = Requirement(
    "a float64 matmul on the Keras backend",
    lambda api: ("upstream bug (keras-team/keras#23704 for torch; numpy's matmul takes the same result_type): on "
                 "KERAS_BACKEND=%s ops.matmul of float64 tensors returns float32, so the float64 orthogonal penalty "
                 "has float32 precision" % keras_backend(api))
    if keras_backend(api) in FLOAT64_MATMUL_BACKENDS else None)


# tf.keras.regularizers.OrthogonalRegularizer: from Keras 2.9 (TF 2.9; reference.py's block comment).
ORTHOGONAL_SINCE = since_tf("2.9", "tf.keras.regularizers.OrthogonalRegularizer")

# (module name, requirement, how to reach the module, how users spell l2, l1, l1_l2)
KERAS_MODULES = [
    ("tf.keras", TF_KERAS, lambda api: api.tf_keras_module, ("l2", "l1", "l1_l2")),
    ("keras3", KERAS3, lambda api: api.keras3, ("L2", "L1", "L1L2")),
    ("tf_keras", LEGACY_KERAS, lambda api: api.legacy_keras, ("l2", "l1", "l1_l2")),
    # standalone Keras 2.1 / 2.2 (`import keras` on TF 1.x; tox -m keras-history's tf18-keras216-py36 and
    # tf112-keras224-py36): L1L2.__call__ multiplies by K.cast_to_floatx(lambda), a NumPy float32
    ("keras2", KERAS2, lambda api: api.keras2, ("l2", "l1", "l1_l2")),
]
# How each module is spelled in code.
KERAS_PREFIX = {"tf.keras": "tf.keras", "keras3": "keras", "tf_keras": "tf_keras", "keras2": "keras"}
# The Keras semantics area's subjects: (subject: the prefix as spelled, requirement, module, l2 spelling); standalone
# Keras 2 is spelled `keras` as Keras 3 is, so its subject is "keras2".
KERAS_SUBJECT = {m: "keras2" if m == "keras2" else KERAS_PREFIX[m] for m, _, _, _ in KERAS_MODULES}
KERAS_MODULE_OF_SUBJECT = {subject: module for module, subject in KERAS_SUBJECT.items()}
FLAVOURS = [(KERAS_SUBJECT[m], req, module_of, names[0]) for m, req, module_of, names in KERAS_MODULES]

REGULARIZERS = [
    # Before contrib: on TF 1.x contrib's l2_regularizer is built on tf.nn.l2_loss, so the l2_loss routes
    # come first in every parametrized test and a broken tf.nn.l2_loss is named by its own routes.
    Regularizer("l2_loss", "(lambda w: scale * tf.nn.l2_loss(w))", "manual", "tf", "l2", HALF, _l2_loss_by_hand,
                kernels=HALF_L2_KERNELS, plumbing=THREE_KINDS,
                notes="The penalty written by hand, as a plain callable wherever a regularizer is accepted."),
    Regularizer("contrib-l2", "contrib.layers.l2_regularizer(scale)", "contrib", "contrib", "l2", HALF,
                _contrib("l2_regularizer"), requires=[CONTRIB], kernels=HALF_L2_KERNELS, plumbing=EVERY_PAIR,
                notes="The seeds' regularizer: crossed with every attachment x reader pair."),
    Regularizer("contrib-l1", "contrib.layers.l1_regularizer(scale)", "contrib", "contrib", "l1", HALF,
                _contrib("l1_regularizer"), requires=[CONTRIB], kernels=L1_KERNELS,
                plumbing=DIRECT_AND_ONE_CONTAINER, notes="lambda * sum(|w|); the convention names the (absent) L2 term."),
    Regularizer("contrib-l1_l2", "contrib.layers.l1_l2_regularizer(scale_l1=scale, scale_l2=scale)", "contrib",
                "contrib", "l1_l2", HALF, _contrib("l1_l2_regularizer", scale_l1=1, scale_l2=1), requires=[CONTRIB],
                kernels=CONTRIB_L1_L2_KERNELS, plumbing=DIRECT_AND_ONE_CONTAINER),
    Regularizer("contrib-sum", "contrib.layers.sum_regularizer([contrib.layers.l1_regularizer(scale), "
                "contrib.layers.l2_regularizer(scale)])", "contrib", "contrib", "l1_l2", HALF, _contrib_sum,
                requires=[CONTRIB], kernels=CONTRIB_L1_L2_KERNELS, plumbing=DIRECT_AND_ONE_CONTAINER,
                zero_lambda_requires=CONTRIB_NO_ZERO_SUM),
    Regularizer("callable", "(lambda w: scale * tf.reduce_sum(tf.square(w)))", "manual", "tf", "l2", FULL,
                _sum_of_squares_by_hand, kernels=KERAS_L2_KERNELS, gradient_kernels=KERAS_L2_GRADIENT_KERNELS,
                plumbing=THREE_KINDS,
                notes="A user's own function with the Keras convention: the API passes it the variable and "
                      "keeps whatever it returns."),
    Regularizer("upgrade_v2", "tf.keras.regularizers.l2(0.5 * (scale))", "manual", "tf.keras", "l2", HALF,
                _upgrade_v2, requires=[TF_KERAS], lambda_precision=_keras_lambda_precision("tf.keras", "l2"),
                kernels=KERAS_L2_KERNELS,
                gradient_kernels=KERAS_L2_GRADIENT_KERNELS, plumbing=THREE_KINDS,
                keras_module=lambda api: api.tf_keras_module,
                notes="What tf_upgrade_v2 writes for tf.contrib.layers.l2_regularizer(scale). Keras stores its "
                      "coefficient as floatx (float32); 0.5 * scale rounds to the same float32 as scale, halved, "
                      "so the mapping is exact in every dtype."),
]


def _keras_records(module, requirement, module_of, spellings):
    prefix = KERAS_PREFIX[module]
    l2_name, l1_name, l1_l2_name = spellings
    shared = dict(family="keras", module=module, convention=FULL, requires=[requirement], keras_module=module_of)
    yield Regularizer("%s-l2" % module, "%s.regularizers.%s(scale)" % (prefix, l2_name), penalty="l2",
                      make=_keras(module_of, l2_name), kernels=KERAS_L2_KERNELS,
                      gradient_kernels=KERAS_L2_GRADIENT_KERNELS,
                      plumbing=PAIRWISE if module == "tf.keras" else THREE_KINDS,
                      lambda_precision=_keras_lambda_precision(module, "l2"), **shared)
    yield Regularizer("%s-l1" % module, "%s.regularizers.%s(scale)" % (prefix, l1_name), penalty="l1",
                      make=_keras(module_of, l1_name), kernels=L1_KERNELS, plumbing=DIRECT_AND_ONE_CONTAINER,
                      lambda_precision=_keras_lambda_precision(module, "l1"),
                      dtype_requires=_keras3_l1_dtypes(module) if module != "keras2" else {},
                      **shared)
    yield Regularizer("%s-l1_l2" % module, "%s.regularizers.%s(l1=scale, l2=scale)" % (prefix, l1_l2_name),
                      penalty="l1_l2", make=_keras(module_of, l1_l2_name, l1=1, l2=1), kernels=L1_KERNELS,
                      plumbing=DIRECT_AND_ONE_CONTAINER, lambda_precision=_keras_lambda_precision(module, "l1_l2"),
                      **shared)
    if module == "keras2":
        return  # OrthogonalRegularizer is Keras 2.9's (TF 2.9), after standalone Keras ended with 2.3
    orthogonal = dict(shared, requires=[requirement, ORTHOGONAL_SINCE] if module == "tf.keras" else [requirement],
                      lambda_precision=_keras_lambda_precision(module, "orthogonal"))
    yield Regularizer("%s-orthogonal" % module, "%s.regularizers.OrthogonalRegularizer(scale)" % prefix,
                      penalty="orthogonal", make=_keras(module_of, "OrthogonalRegularizer"),
                      kernels=ORTHOGONAL_KERNELS, plumbing=DIRECT_AND_ONE_CONTAINER, kernel_shape=MATRIX_2,
                      # float32 / float64 only: in float16 / bfloat16 the derived bound
                      # (tolerance.orthogonal_tolerance) cannot see a 0.1 % drift, so a value test there
                      # could not fail; Keras 3 takes float32 alone (dtype_requires).
                      dtypes=("float32", "float64"), dtype_requires={"float64": {
                          "tf.keras": _keras3_orthogonal_float64(always=False),
                          "keras3": _keras3_orthogonal_float64(always=True)}.get(module)},
                      **orthogonal)


for _module in KERAS_MODULES:
    REGULARIZERS.extend(_keras_records(*_module))
