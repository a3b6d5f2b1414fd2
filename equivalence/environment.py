"""What is installed, and which regularization APIs it offers.

Everything here is discovered, never assumed: TensorFlow's version, which
Keras `tf.keras` resolves to, whether `tf.contrib.layers` or its successor
`tf_slim` is importable, and whether the TF 1.x layer API is present. Each
absent API carries the reason it is absent, worded for the report and for
pytest's skip message.

`TF_USE_LEGACY_KERAS` only works when set before TensorFlow is imported, so
tox sets it in the environment; this module reads it, never sets it.
"""

import importlib
import os
import platform
import re
import warnings

_API = None


def parse_version(text):
    """'2.16.0rc1' -> (2, 16, 0); enough to compare releases."""
    parts = re.findall(r"\d+", text or "")[:3]
    return tuple(int(p) for p in parts) + (0,) * (3 - len(parts))


class Api(object):
    """The installed TensorFlow, seen through the names each API family uses.

    Attributes that may be absent are None, with `<name>_reason` saying why.
    """

    def __init__(self):
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import numpy as np
            import tensorflow as tf
        self.np = np
        self.tf = tf
        self.tf_version = tf.__version__
        self.tf_version_tuple = parse_version(tf.__version__)
        self.tf2 = self.tf_version_tuple >= (2, 0, 0)
        # `tf.compat.v1` appeared in 1.13; before that the v1 names are `tf` itself.
        compat = getattr(tf, "compat", None)
        self.v1 = getattr(compat, "v1", None) or tf
        self.python_version = platform.python_version()
        self.numpy_version = np.__version__
        # Read from its metadata, not imported: tf.keras' .h5 format depends on its major (model_table.persist_h5).
        self.h5py_version = _dist_version("h5py")
        self.legacy_keras_requested = os.environ.get("TF_USE_LEGACY_KERAS", "") in ("1", "true", "True")
        self._find_contrib()
        self._find_keras()
        self._find_layers()

    # -- contrib / tf_slim -------------------------------------------------
    def _find_contrib(self):
        self.contrib, self.contrib_name, self.contrib_version = None, None, None
        self.contrib_reason = None
        if not self.tf2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.contrib = importlib.import_module("tensorflow.contrib.layers")
            self.contrib_name = "tf.contrib.layers"
            self.contrib_version = self.tf_version
            return
        try:
            slim = importlib.import_module("tf_slim")
        except Exception as exc:  # ImportError, or a tf_slim that fails on this TF
            self.contrib_reason = (
                "tf.contrib was removed in TensorFlow 2.0 and its successor tf_slim "
                "is not importable here (%s: %s)" % (type(exc).__name__, exc))
            return
        self.contrib, self.contrib_name = slim, "tf_slim"
        self.contrib_version = _dist_version("tf_slim") or getattr(slim, "__version__", "?")

    # -- Keras ------------------------------------------------------------
    def _find_keras(self):
        """Three Keras modules a user may reach: tf.keras, Keras 3, tf_keras."""
        tf = self.tf
        self.tf_keras_module, self.tf_keras_module_reason = None, None
        try:
            self.tf_keras_module = tf.keras
            # Touch an attribute: on 2.16+ tf.keras is a lazy loader that may fail here.
            self.tf_keras_module.regularizers  # noqa: B018
        except Exception as exc:
            self.tf_keras_module = None
            self.tf_keras_module_reason = "tf.keras does not load (%s: %s)" % (type(exc).__name__, exc)
        # tf.keras is a lazy loader without __version__ on 2.6+: ask the distribution it loads.
        legacy = os.environ.get("TF_USE_LEGACY_KERAS", "").lower() in ("1", "true", "yes")
        # (only from 2.6: before, the keras distribution, where installed, is standalone Keras, not tf.keras)
        self.keras_version = _module_version(self.tf_keras_module) or (
            _dist_version("tf-keras" if legacy and self.tf_version_tuple >= (2, 16, 0) else "keras")
            if self.tf_version_tuple >= (2, 6, 0) else None)

        self.keras3, self.keras3_reason = None, None
        self.keras2, self.keras2_reason = None, None
        try:
            import keras
            if parse_version(keras.__version__) >= (3, 0, 0):
                self.keras3 = keras
                self.keras2_reason = "the installed keras package is %s, not standalone Keras 2" % keras.__version__
            else:
                self.keras3_reason = "the installed keras package is %s, not Keras 3" % keras.__version__
                try:
                    self._find_standalone_keras(keras)
                except Exception as exc:  # a standalone Keras whose backend does not load: say so, not "absent"
                    self.keras2_reason = "standalone Keras %s does not load its backend (%s: %s)" % (
                        keras.__version__, type(exc).__name__, exc)
        except Exception as exc:
            self.keras3_reason = "Keras 3 is not installed (%s)" % type(exc).__name__
            self.keras2_reason = ("standalone Keras 2 (the keras package < 2.4, TensorFlow backend) is not installed "
                                  "(%s); tox -m keras-history's tf18-keras216-py36 and tf112-keras224-py36 have it"
                                  % type(exc).__name__)

        self.legacy_keras, self.legacy_keras_reason = None, None
        try:
            self.legacy_keras = importlib.import_module("tf_keras")
        except Exception as exc:
            self.legacy_keras_reason = "tf_keras is not installed (%s)" % type(exc).__name__

        # The backend Keras 3 runs on (KERAS_BACKEND, read when keras is imported); tf.keras before
        # Keras 3, Keras 2 and tf_keras run on TensorFlow only.
        self.keras_backend = "tensorflow"
        if self.keras3 is not None:
            try:
                self.keras_backend = str(self.keras3.backend.backend())
            except Exception as exc:  # an old or broken Keras 3: say so rather than guess
                self.keras_backend = "unknown (%s)" % type(exc).__name__

        if self.tf_version_tuple < (2, 16, 0):
            self.keras_flavour = "keras2"
        elif self.keras_version and parse_version(self.keras_version) >= (3, 0, 0):
            self.keras_flavour = "keras3"
        else:
            self.keras_flavour = "legacy"

    def _find_standalone_keras(self, keras):
        """Standalone multi-backend Keras (`import keras`, 2.0-2.3) on its TensorFlow backend: the Keras many
        TF 1.x users wrote before tf.keras. From 2.4 the keras package is tf.keras' own code (the keras-team/keras
        2.4.0 release notes: multi-backend Keras is discontinued and the package redirects to tf.keras), so it is
        not a module of its own."""
        if parse_version(keras.__version__) >= (2, 4, 0):
            self.keras2_reason = ("the installed keras package %s is tf.keras' own code (from Keras 2.4), not "
                                  "standalone multi-backend Keras" % keras.__version__)
            return
        backend = keras.backend.backend()
        if backend != "tensorflow":
            self.keras2_reason = "standalone Keras %s runs on the %s backend, not TensorFlow" % (
                keras.__version__, backend)
            return
        self.keras2 = keras

    # -- tf.layers (TF 1.x layer functions) ---------------------------------
    def _find_layers(self):
        self.layers, self.layers_reason = None, None
        try:
            layers = self.v1.layers
            layers.dense  # noqa: B018  (2.16+ with Keras 3 raises on attribute access)
            self.layers = layers
        except Exception as exc:
            self.layers_reason = (
                "tf.compat.v1.layers is not available with Keras 3 (TensorFlow >= 2.16 "
                "without TF_USE_LEGACY_KERAS=1 and tf_keras): %s" % (str(exc).splitlines() or [""])[0][:160])

    # -- facts for reports and failure messages -----------------------------
    def versions(self):
        return {
            "tensorflow": self.tf_version,
            "keras": self.keras_version,
            "keras_flavour": self.keras_flavour,
            "keras3": _module_version(self.keras3),
            "tf_keras": _module_version(self.legacy_keras),
            "keras2": _module_version(self.keras2),
            "keras_backend": self.keras_backend,
            "contrib": ("%s %s" % (self.contrib_name, self.contrib_version)) if self.contrib else None,
            "python": self.python_version,
            "numpy": self.numpy_version,
            "h5py": self.h5py_version,
        }

    def describe(self):
        v = dict(self.versions())
        # Keras 3 on another backend than TensorFlow says so (KERAS_BACKEND); TensorFlow is the default
        v["backend"] = "" if v["keras_backend"] == "tensorflow" else ", Keras 3 backend %s" % v["keras_backend"]
        v["backend"] += ", standalone Keras %s" % v["keras2"] if v["keras2"] else ""
        return ("TF %(tensorflow)s, Keras %(keras)s (%(keras_flavour)s)%(backend)s, contrib: %(contrib)s, "
                "Python %(python)s, NumPy %(numpy)s" % v)

    def numpy_dtype(self, name):
        """The NumPy dtype TensorFlow uses for `name` (bfloat16 has its own type)."""
        if name == "bfloat16":
            return self.np.dtype(self.tf.bfloat16.as_numpy_dtype)
        return self.np.dtype(name)


def _module_version(module):
    if module is None:
        return None
    return getattr(module, "__version__", None) or getattr(module, "VERSION", None)


def _dist_version(name):
    try:
        from importlib import metadata  # Python >= 3.8
    except ImportError:  # the TF 1.x envs run Python 3.6 / 3.7 (and uv gives them no pkg_resources)
        return _dist_info_version(name)
    try:
        return metadata.version(name)
    except Exception:
        return None


def _dist_info_version(name):
    """The version in `<name>-<version>.dist-info` on sys.path (what importlib.metadata reads), or None."""
    import glob
    import sys
    wanted = name.lower().replace("-", "_")
    for folder in sys.path:
        for path in glob.glob(os.path.join(folder or ".", "*.dist-info")):
            dist, _, version = os.path.basename(path)[:-len(".dist-info")].partition("-")
            if dist.lower().replace("-", "_") == wanted:
                return version
    return None


def get_api():
    """The one Api of this process (importing TensorFlow is expensive; do it once)."""
    global _API
    if _API is None:
        _API = Api()
    return _API


def suite_profile():
    """The Hypothesis profile the test suite runs under here: $HYPOTHESIS_PROFILE, else `ci` under CI,
    else `dev` (conftest.py loads it; the report records it so the matrix can say how each release ran)."""
    return os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
