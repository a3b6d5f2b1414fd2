"""Run one route on one case, and judge the result against the reference.

A route's `build(api, source, lam)` creates its weights through
`source.initializer` (or `source.variable()`), attaches the penalty the way
users do, and returns `Built(loss, weights)`. The harness decides how to
execute it:

* graph mode (every TF 1.x route, and the `tf.compat.v1` routes on 2.x): a
  fresh `tf.Graph` and `Session` per case, so collections never leak between
  examples. The weights enter through a placeholder fed at initialization:
  they are never embedded as a constant in the GraphDef.
* eager mode (Keras and `tf.nn.l2_loss` on 2.x): the initializer returns the
  array as a tensor.

After running, the variable is read back and compared bit for bit with the
array the case holds, so a mismatch in the penalty can never be blamed on the
weights having been changed on the way in.
"""

import collections
import time

import numpy as np

from .numerics import reference, tolerance as tolerance_mod
from .routes.registry import Built, on_backend_array, sum_entries  # noqa: F401  (the routes' result; re-exported)
from .verdict import Verdict, failure_message, ratio, run_command  # noqa: F401  (ratio: public)


# How many cases each route has been verified on in this process (for the run summary).
EXAMPLES = collections.Counter()


class Case(object):
    """One example: exact weights (in their dtype), lambda, and where they came from."""

    def __init__(self, weights, dtype, lam, init):
        self.weights = weights
        self.dtype = dtype
        self.lam = lam
        self.init = init

    @property
    def shape(self):
        return tuple(self.weights.shape)

    def describe(self):
        return "shape=%s dtype=%s lambda=%r initializer=%s" % (
            self.shape, self.dtype, self.lam, self.init.describe())


class Measurement(object):
    def __init__(self, value, dtype, readback, entries, seconds, entry_kinds=None):
        self.value, self.dtype, self.readback = value, dtype, readback
        self.entries, self.seconds, self.entry_kinds = entries, seconds, entry_kinds


# From this size on, weights enter TensorFlow as a 64-byte aligned private copy (see
# _feed_value and _eager_tensor); smaller arrays take the plain path users take.
HANDOFF_MIN_SIZE = 2 ** 20
DLPACK_DTYPES = ("float16", "float32", "float64")


def _feed_value(array):
    """What the graph routes feed: a session copies a fed array that is not 64-byte aligned
    (74 ms at 2**24 float32) and adopts an aligned one; an aligned private copy costs 25 ms.
    The caller's array stays out of TensorFlow's reach, so the read-back check keeps its meaning."""
    array = np.asarray(array)
    if array.size >= HANDOFF_MIN_SIZE and array.dtype.kind == "f":
        return _aligned_copy(array)
    return array


def _eager_tensor(api, array, dtype):
    """The weights as an eager tensor.

    `tf.constant` of a large array costs 5-9x a memcpy (68 ms at 2**24 float32,
    against 12 ms for `np.copy`). For large arrays the harness hands TensorFlow a
    private copy through DLPack instead, which TensorFlow adopts without copying.
    What is tested does not change: the routes see an ordinary float tensor, and
    the read-back check compares the variable with the caller's array, which
    TensorFlow never sees (so a route that wrote into its weights is still caught).
    """
    dlpack = getattr(getattr(api.tf, "experimental", None), "dlpack", None)
    array = np.asarray(array)
    if (array.size >= HANDOFF_MIN_SIZE and dlpack is not None and hasattr(array, "__dlpack__")
            and dtype.name in DLPACK_DTYPES and array.dtype == np.dtype(dtype.name)):
        return dlpack.from_dlpack(_aligned_copy(array).__dlpack__())
    return api.tf.constant(array, dtype=dtype)


def _aligned_copy(array, alignment=64):
    """A C-contiguous copy starting on an `alignment`-byte boundary: TensorFlow's CPU kernels
    require 64-byte aligned buffers (Tensor::CheckTypeAndIsAligned aborts the process), and an
    adopted DLPack buffer is not realigned. NumPy only guarantees 16."""
    raw = np.empty(array.nbytes + alignment, np.uint8)
    start = -raw.ctypes.data % alignment
    out = raw[start:start + array.nbytes].view(array.dtype).reshape(array.shape)
    out[...] = array
    return out


class WeightSource(object):
    """The case's array, offered to a route in the forms APIs accept."""

    def __init__(self, api, weights, dtype_name, graph_mode, on_backend=False):
        self.api = api
        self.array = weights
        self.shape = tuple(weights.shape)
        self.dtype = getattr(api.tf, dtype_name)
        self.dtype_name = dtype_name
        self.graph_mode = graph_mode
        # Route.on_backend: Keras 3 on jax / torch / numpy, which takes its backend's arrays, not TF tensors
        self.on_backend = on_backend
        self.feed = {}
        self._tensor = None

    def tensor(self):
        """The weights as a tensor: a fed placeholder in graph mode, a constant in eager, the Keras
        backend's array (keras.ops.convert_to_tensor) on a Keras 3 backend other than TensorFlow."""
        if self._tensor is None:
            if self.graph_mode:
                ph = self.api.v1.placeholder(self.dtype, shape=self.shape, name="weights_feed")
                self.feed[ph] = _feed_value(self.array)
                self._tensor = ph
            elif self.on_backend:
                self._tensor = self.convert(self.array)
            else:
                self._tensor = _eager_tensor(self.api, self.array, self.dtype)
        return self._tensor

    def convert(self, array, dtype_name=None):
        """Another array (a model's inputs) in the form this route's tensors take: a TF constant, or the
        Keras backend's array; `dtype_name` defaults to the weights'."""
        dtype_name = dtype_name or self.dtype_name
        if self.on_backend:
            return self.api.keras3.ops.convert_to_tensor(np.asarray(array), dtype=dtype_name)
        return self.api.tf.constant(array, dtype=getattr(self.api.tf, dtype_name))

    def initializer(self, shape=None, dtype=None, partition_info=None, **kwargs):
        """An initializer callable: every API's `initializer=` argument accepts this form."""
        if shape is not None and tuple(int(s) for s in shape) != self.shape:
            raise ValueError("route asked for shape %s, case has %s" % (tuple(shape), self.shape))
        value = self.tensor()
        if dtype is not None:
            dtype = self.api.tf.as_dtype(getattr(dtype, "name", dtype))
            if dtype != self.dtype:
                raise ValueError("route asked for dtype %s, case has %s" % (dtype.name, self.dtype_name))
        return value

    def variable(self, name="weights"):
        """A plain `tf.Variable` holding the weights (v1 variable in graph mode; a `keras.Variable` on a
        Keras 3 backend other than TensorFlow)."""
        if self.graph_mode:
            return self.api.v1.Variable(self.tensor(), name=name)
        if self.on_backend:
            return self.api.keras3.Variable(self.tensor(), dtype=self.dtype_name, name=name)
        return self.api.tf.Variable(self.tensor(), name=name)


def to_numpy(api, x):
    """A tensor, variable or number as NumPy; a Keras 3 backend's object (registry.on_backend_array: a torch
    tensor that requires grad, a bfloat16 torch tensor, a jax array) is read with keras.ops.convert_to_numpy."""
    if on_backend_array(api, x):
        return api.keras3.ops.convert_to_numpy(x)
    return _to_numpy(x)


def _to_numpy(x):
    if hasattr(x, "numpy"):
        return x.numpy()
    if hasattr(x, "value") and hasattr(x.value, "numpy"):  # Keras 3 variables
        return x.value.numpy()
    return np.asarray(x)


def _view(tensor):
    """An eager tensor's buffer as NumPy without a copy: `.numpy()` is `_numpy()` plus a copy
    (12 ms at 2**24 float32). Safe here: the view is only read, while the tensor is alive."""
    view = getattr(tensor, "_numpy", None)
    return view() if callable(view) else _to_numpy(tensor)


def _read_back(api, weights):
    """A variable's value as NumPy: one ReadVariableOp on its handle. `.numpy()` adds an
    Identity op and a copy, and `.value()` ~15 us of Python bookkeeping, each a sizeable
    part of an eager route's own cost (~0.5 ms). Keras 3 variables hold a tf.Variable in `.value`."""
    for _ in range(2):
        value = getattr(weights, "value", None)
        if callable(value):
            raw_ops = getattr(api.tf, "raw_ops", None)
            handle = getattr(weights, "handle", None)
            if raw_ops is not None and handle is not None:
                return _view(raw_ops.ReadVariableOp(resource=handle, dtype=weights.dtype))
            return _view(value())
        if value is None:
            break
        weights = value
    return _to_numpy(weights)


def _is_tensor_like(api, x):
    return not isinstance(x, (int, float, np.number))


def run_route(api, route, case):
    """Execute `route` on `case`; return a Measurement."""
    weights = route.adapt(case.weights)
    graph_mode = route.runs_in_graph(api)
    start = time.perf_counter()
    if graph_mode:
        tf, v1 = api.tf, api.v1
        graph = tf.Graph()
        with graph.as_default():
            source = WeightSource(api, weights, case.dtype, graph_mode=True)
            built = route.build(api, source, case.lam)
            fetches = {"weights": built.weights}
            if _is_tensor_like(api, built.loss):
                fetches["loss"] = built.loss
            with v1.Session(graph=graph) as sess:
                sess.run(v1.global_variables_initializer(), feed_dict=source.feed)
                # Not fed again: the penalty must read the variable, never the placeholder
                # (a route that did would fail loudly here), and a second feed copies the weights.
                out = sess.run(fetches)
        loss = out.get("loss", built.loss)
        readback = out["weights"]
        loss_dtype = getattr(getattr(built.loss, "dtype", None), "name", None) if "loss" in out else None
    elif route.on_backend(api):
        # Keras 3 on jax / torch / numpy: the same route, on that backend's arrays and variables
        source = WeightSource(api, weights, case.dtype, graph_mode=False, on_backend=True)
        built = route.build(api, source, case.lam)
        # the NumPy backend's tensors are NumPy scalars and arrays: only a Python number is not a tensor
        tensor = type(built.loss) not in (int, float)  # (np.float64 is a float subclass)
        loss = to_numpy(api, built.loss) if tensor else built.loss
        readback = to_numpy(api, built.weights)
        loss_dtype = dtype_name(built.loss) if tensor else None
    else:
        source = WeightSource(api, weights, case.dtype, graph_mode=False)
        built = route.build(api, source, case.lam)
        loss = _to_numpy(built.loss) if _is_tensor_like(api, built.loss) else built.loss
        readback = _read_back(api, built.weights)
        loss_dtype = dtype_name(built.loss) if _is_tensor_like(api, built.loss) else None
    seconds = time.perf_counter() - start
    EXAMPLES[route.name] += 1
    return Measurement(_as_float(loss), loss_dtype,
                       np.asarray(readback), built.entries, seconds, built.entry_kinds)


def _as_float(loss):
    """The penalty as a Python float (exact: every float dtype widens exactly to float64)."""
    if isinstance(loss, (float, int)):
        return float(loss)
    return float(np.asarray(loss).astype(np.float64))


def dtype_name(x):
    """A tensor's dtype name, or None: TF (a v1 graph's `float32_ref` as float32), jax and NumPy dtypes have
    .name; a torch dtype is spelled torch.float32."""
    dt = getattr(x, "dtype", None)
    dt = getattr(dt, "base_dtype", dt)
    return getattr(dt, "name", None) or (str(dt).replace("torch.", "") if dt is not None else None)


def expectation(route, case, api=None):
    """The reference value for `route` on `case`, and the tolerance it is judged with.

    With `api`, the tolerance uses the installed release's summation and rounding model (reduction.py).
    """
    from .numerics.reduction import reference_tolerance
    weights = route.adapt(case.weights)
    lam = reference.stored_lambda(case.lam, route.lambda_precision_for(api))
    ref = route.reference(weights, lam, api)
    return ref, reference_tolerance(api, case.dtype, ref, lam, route)


def rounded_expectation(route, case, dtype, api=None, weights=None):
    """expectation() of `case` with its weights (or `weights`, e.g. the kernel after a step) rounded to `dtype` and
    judged in it: what a route owes where its weights are held in another dtype (Requirement.rounds_to)."""
    w = case.weights if weights is None else weights
    as_numpy = api.numpy_dtype(dtype) if api is not None else np.dtype(dtype)  # (bfloat16: the install's)
    return expectation(route, Case(np.asarray(w).astype(as_numpy), dtype, case.lam, case.init), api)


def same_bits(a, b):
    """Bit-for-bit equality, compared block by block as unsigned integers: no copies of large arrays."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype.itemsize != b.dtype.itemsize:
        return False
    as_uint = "u%d" % a.dtype.itemsize
    if a.size <= reference.BLOCK:  # small: one bytes comparison beats the block machinery 5x
        return a.tobytes() == b.tobytes()
    a = np.ascontiguousarray(a).reshape(-1).view(as_uint)
    b = np.ascontiguousarray(b).reshape(-1).view(as_uint)
    block = reference.BLOCK
    return all(np.array_equal(a[i:i + block], b[i:i + block]) for i in range(0, a.size, block))


def verify(api, route, case):
    """Run `route` on `case` and judge it. Never raises for a wrong number: returns a Verdict."""
    m = run_route(api, route, case)
    ref, tol = expectation(route, case, api)
    r = ratio(m.value, ref.value)
    problems = []
    if not same_bits(m.readback, route.adapt(case.weights)):
        problems.append("the variable read back differs from the weights handed in")
    if not tol.accepts(m.value, ref.value):
        problems.append("the penalty is off the reference by more than the tolerance")
    if case.lam != 0 and m.dtype is not None and m.dtype != case.dtype:
        problems.append("the penalty has dtype %s, the weights %s" % (m.dtype, case.dtype))
    message = failure_message(
        api, route, case, "the penalty", problems, ref.value, m.value, tol.describe(), tol.bound(ref.value),
        run_command(route, case),
        expected_note="reference, lambda stored as %s" % (route.lambda_precision_for(api) or "given"),
        got_note="dtype %s" % m.dtype) if problems else ""
    return Verdict(not problems, message, m.value, ref, tol, r, measurement=m)


def case_from_plan(api, plan):
    """Evaluate the plan's initializer once: the array every route of this example receives."""
    from .initializers import materialize
    weights = materialize(api, plan.init, plan.shape, plan.dtype)
    return Case(weights, plan.dtype, plan.lam, plan.init)


def in_range(case):
    """True when the exact penalty and its intermediates stay finite in the case's dtype.

    Overflow is bad input, asserted by the semantics tables; value tests keep clear of it.
    """
    s, _ = reference.sum_of_squares(case.weights)
    w = np.asarray(case.weights).astype(np.float64)
    biggest = float(np.max(np.abs(w))) ** 2 if w.size else 0.0
    return tolerance_mod.fits(case.dtype, s, case.lam * s, biggest, case.lam * biggest, case.lam)
