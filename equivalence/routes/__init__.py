"""The route registry: regularizer x attachment x reader (registry.product).

regularizers.py  the regularizer axis (convention, reference, module, kernels)
plumbing.py      the attachment and reader axes, and which pairs each regularizer meets
registry.py      the records they use (Requirement, Kernel, KernelShape), Route, the product
renamed.py       the display names routes had before the three axes, for reading old reports
models.py        the Keras model axis (layer arguments, model structures, readers that train): MODEL_ROUTES
"""

from . import plumbing
from .plumbing import ATTACHMENTS, READERS
from .regularizers import REGULARIZERS
from .registry import ALL_DTYPES, Route, product  # noqa: F401

ROUTES, EXCLUDED = product(REGULARIZERS, ATTACHMENTS, READERS, plumbing.buildable, plumbing.pair_requires,
                           plumbing.pair_colocated, plumbing.pair_zero_lambda_requires)


def by_name(name):
    """The route whose slug (or display text) is `name`; a route renamed by the three axes by its old name;
    a model route (models.MODEL_ROUTES) by its slug."""
    from .models import MODEL_ROUTES
    from .renamed import RENAMED
    name = RENAMED.get(name, name)
    for r in ROUTES + MODEL_ROUTES:
        if name in (r.slug, r.display):
            return r
    raise KeyError("no route named %r; known: %s" % (name, ", ".join(r.slug for r in ROUTES)))
