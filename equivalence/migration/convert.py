"""`python -m equivalence.migration.convert ARGS`: this release's tf_upgrade_v2, with a converter mutant.

Runs exactly what the `tf_upgrade_v2` console script runs
(tensorflow.tools.compatibility.tf_upgrade_v2_main:main, same arguments), after
breaking the converter's mapping of `tf.contrib.layers.l2_regularizer` when
REGEQUIV_MUTANT names a converter mutant (equivalence/selfvalidation/mutants.py, owner
"migration"). The runner uses this wrapper only while such a mutant is active,
and the console script otherwise. No equivalence import: this runs under any
TF 2.x env's interpreter with only the repository on PYTHONPATH.

Mutants (upstream: tensorflow/tools/compatibility/tf_upgrade_v2.py,
_contrib_layers_l2_regularizer_transformer, which rewrites
`l2_regularizer(scale=s)` to `tf.keras.regularizers.l2(l=0.5 * (s))`):

  converter-l2-drops-half   the `0.5 *` is dropped: `tf.keras.regularizers.l2(l=(s))`, twice the penalty
"""

import ast
import os
import sys

TRANSFORMER = "_contrib_layers_l2_regularizer_transformer"


def _is_half(node):
    return isinstance(node, ast.AST) and getattr(node, "n", getattr(node, "value", None)) == 0.5


def drops_half(original):
    """The transformer, then every `0.5 * (s)` it made replaced by `(s)`."""
    import pasta

    def transformer(parent, node, full_name, name, logs):
        node = original(parent, node, full_name, name, logs)
        holders = [(k, k.value) for k in node.keywords] + [(node, a) for a in node.args]
        for holder, value in holders:
            if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult) and _is_half(value.left):
                pasta.ast_utils.replace_child(holder, value, value.right)
        return node
    return transformer


MUTANTS = {"converter-l2-drops-half": drops_half}


def main():
    from tensorflow.tools.compatibility import tf_upgrade_v2_main
    name = os.environ.get("REGEQUIV_MUTANT") or ""
    if name in MUTANTS:
        module = tf_upgrade_v2_main.tf_upgrade_v2
        setattr(module, TRANSFORMER, MUTANTS[name](getattr(module, TRANSFORMER)))
        sys.stderr.write("regequiv: MUTANT ACTIVE %s in tf_upgrade_v2\n" % name)
    return tf_upgrade_v2_main.main()


if __name__ == "__main__":
    sys.exit(main())
