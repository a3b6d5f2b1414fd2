"""What each release's tf_upgrade_v2 output does, measured: the rows tests/test_migration.py asserts.

A row is (programs, mode, TF version range, Keras flavours) -> outcome, first
match wins (narrow rows first). Modes:

  converter   what the converter wrote for the program: a line it must contain and its verdict
  as_written  the converted program run as the converter left it (TF 2.x: eager by default)
  graph_mode  the same with tf.compat.v1.disable_eager_execution() after the tensorflow import

Outcomes:

  SAME                    prints the program's NumPy reference within the derived tolerance
                          (for the seed program: 39.2, half the Keras 78.4)
  Raises(type, text)      raises exactly that exception type, its message containing `text`
  Converts(lines, issues) the converted source contains each line; the converter reports `issues`
                          ERROR / WARNING findings for the file ("0 issues": it claims no attention needed)

Every row was measured by `python -m equivalence migrate --sweep` (docs/MIGRATION.md gives the run);
`upstream_bug` marks a converter output that fails on a release the converter targets although
it reported 0 issues for the file.
"""

from ..environment import parse_version

ALL_FLAVOURS = ("keras2", "keras3", "legacy")


class Same(object):
    def problems(self, outcome, expected, tol):
        if "value" not in outcome:
            return "expected the number %r, got %s" % (expected, _what(outcome))
        if not tol.accepts(outcome["value"], expected):
            return "expected %r, got %r (x%.6g; tolerance %s)" % (
                expected, outcome["value"], outcome["value"] / expected if expected else float("inf"),
                tol.describe())
        return None

    def __repr__(self):
        return "SAME"


SAME = Same()


class Raises(object):
    def __init__(self, type_name, text=""):
        self.type_name, self.text = type_name, text

    def problems(self, outcome, expected, tol):
        if outcome.get("raised") != self.type_name or self.text not in outcome.get("message", ""):
            return "expected %r, got %s" % (self, _what(outcome))
        return None

    def __repr__(self):
        return "Raises(%s%s)" % (self.type_name, ", %r" % self.text if self.text else "")


class Converts(object):
    def __init__(self, lines, issues):
        self.lines = (lines,) if isinstance(lines, str) else tuple(lines)
        self.issues = issues

    def problems(self, record, expected=None, tol=None):
        found = []
        source = record.get("converted_source") or ""
        for line in self.lines:
            if line not in source:
                found.append("the converted source lacks %r (its regularizer lines: %s)" % (
                    line, record.get("regularizer_lines")))
        if record.get("converter") != "%d issues" % self.issues:
            found.append("the converter reported %s for the file, not %d issues: %s" % (
                record.get("converter"), self.issues, record.get("findings")))
        return "; ".join(found) or None

    def __repr__(self):
        return "Converts(%s, %d issues)" % (" and ".join(repr(l) for l in self.lines), self.issues)


def _what(outcome):
    if "value" in outcome:
        return "the number %r" % outcome["value"]
    if "raised" in outcome:
        return "%s: %s" % (outcome["raised"], outcome.get("message", ""))
    return "a crash: %s" % outcome.get("crashed")


class Fact(object):
    def __init__(self, programs, mode, outcome, since="2.0", until=None, flavours=ALL_FLAVOURS,
                 upstream_bug=None, note=""):
        self.programs = (programs,) if isinstance(programs, str) else tuple(programs)
        self.mode, self.outcome = mode, outcome
        self.since, self.until = parse_version(since), parse_version(until) if until else None
        self.flavours, self.upstream_bug, self.note = tuple(flavours), upstream_bug, note
        self.range = "TF %s%s%s" % (since, " ... " + until if until else "+",
                                    "" if self.flavours == ALL_FLAVOURS else " (%s)" % ", ".join(self.flavours))

    def covers(self, program, mode, version, flavour):
        return ((program in self.programs or "*" in self.programs) and mode == self.mode
                and self.since <= version and (self.until is None or version <= self.until)
                and flavour in self.flavours)

    def __repr__(self):
        return "Fact(%s, %s, %s: %r)" % ("/".join(self.programs), self.mode, self.range, self.outcome)


def lookup(program, mode, tf_version, flavour):
    """The first row covering the program, mode and release (tf_version as text or tuple), or None."""
    version = parse_version(tf_version) if isinstance(tf_version, str) else tuple(tf_version)[:3]
    for fact in FACTS:
        if fact.covers(program, mode, version, flavour):
            return fact
    return None


# Measured on every TF 2.x env of the history (2.0 ... 2.21, Keras 3 and tf_keras flavours from 2.16,
# tf-nightly) with `python -m equivalence migrate --sweep`; 2.16 is the first Keras 3 / tf_keras release.
LAYERS_NOT_RENAMED = ("from TF 2.16 the converter leaves tf.layers.dense / conv2d as they are (2.0-2.15 "
                      "rename them to tf.compat.v1.layers), reports 0 issues, and TF 2.x has no tf.layers")
FACTS = [
    # What the converter writes for the seed program, and its verdict.
    Fact("seed_dense_collection", "converter", Converts(
        ["tf.keras.regularizers.l2(l=0.5 * (0.01))", "logits = tf.compat.v1.layers.dense("], 0),
        since="2.0", until="2.15.99"),
    Fact("seed_dense_collection", "converter", Converts(
        ["tf.keras.regularizers.l2(l=0.5 * (0.01))", "logits = tf.layers.dense("], 0),
        since="2.16", upstream_bug=LAYERS_NOT_RENAMED),
    Fact('apply_regularization', 'graph_mode', Raises('AttributeError', "has no attribute 'contrib'"), since='2.0', flavours=('keras2',)),
    Fact('apply_regularization', 'graph_mode', Raises('AttributeError', "has no attribute 'contrib'"), since='2.16', flavours=('keras3', 'legacy',)),
    Fact('apply_regularization', 'as_written', Raises('AttributeError', "has no attribute 'contrib'"), since='2.0', flavours=('keras2',)),
    Fact('apply_regularization', 'as_written', Raises('AttributeError', "has no attribute 'contrib'"), since='2.16', flavours=('keras3', 'legacy',)),
    Fact('conv2d_regularization_loss', 'graph_mode', SAME, since='2.0', flavours=('keras2',)),
    Fact('conv2d_regularization_loss', 'graph_mode', Raises('AttributeError', "has no attribute 'layers'"), since='2.16', flavours=('keras3', 'legacy',)),
    Fact('conv2d_regularization_loss', 'as_written', Raises('RuntimeError', 'placeholder() is not compatible with eager execution'), since='2.0', flavours=('keras2',)),
    Fact('conv2d_regularization_loss', 'as_written', Raises('RuntimeError', 'placeholder() is not compatible with eager execution'), since='2.16', flavours=('keras3', 'legacy',)),
    Fact('fully_connected_network', 'graph_mode', Raises('AttributeError', "has no attribute 'contrib'"), since='2.0', flavours=('keras2',)),
    Fact('fully_connected_network', 'graph_mode', Raises('TypeError', "unexpected keyword argument 'l'"), since='2.16', flavours=('keras3',)),
    Fact('fully_connected_network', 'graph_mode', Raises('AttributeError', "has no attribute 'contrib'"), since='2.16', flavours=('legacy',)),
    Fact('fully_connected_network', 'as_written', Raises('RuntimeError', 'placeholder() is not compatible with eager execution'), since='2.0', flavours=('keras2',)),
    Fact('fully_connected_network', 'as_written', Raises('TypeError', "unexpected keyword argument 'l'"), since='2.16', flavours=('keras3',)),
    Fact('fully_connected_network', 'as_written', Raises('RuntimeError', 'placeholder() is not compatible with eager execution'), since='2.16', flavours=('legacy',)),
    Fact('get_variable_regularizer', 'graph_mode', SAME, since='2.0', flavours=('keras2',)),
    Fact('get_variable_regularizer', 'graph_mode', Raises('TypeError', "unexpected keyword argument 'l'"), since='2.16', flavours=('keras3',)),
    Fact('get_variable_regularizer', 'graph_mode', SAME, since='2.16', flavours=('legacy',)),
    Fact('get_variable_regularizer', 'as_written', Raises('AttributeError', 'when eager execution is enabled'), since='2.0', flavours=('keras2',)),
    Fact('get_variable_regularizer', 'as_written', Raises('TypeError', "unexpected keyword argument 'l'"), since='2.16', flavours=('keras3',)),
    Fact('get_variable_regularizer', 'as_written', Raises('AttributeError', 'when eager execution is enabled'), since='2.16', flavours=('legacy',)),
    Fact('keras_regularizer_in_layers', 'graph_mode', SAME, since='2.0', flavours=('keras2',)),
    Fact('keras_regularizer_in_layers', 'graph_mode', Raises('AttributeError', "has no attribute 'layers'"), since='2.16', flavours=('keras3', 'legacy',)),
    Fact('keras_regularizer_in_layers', 'as_written', Raises('RuntimeError', 'placeholder() is not compatible with eager execution'), since='2.0', flavours=('keras2',)),
    Fact('keras_regularizer_in_layers', 'as_written', Raises('RuntimeError', 'placeholder() is not compatible with eager execution'), since='2.16', flavours=('keras3', 'legacy',)),
    Fact('seed_dense_collection', 'graph_mode', SAME, since='2.0', flavours=('keras2',)),
    Fact('seed_dense_collection', 'graph_mode', Raises('AttributeError', "has no attribute 'layers'"), since='2.16', flavours=('keras3', 'legacy',)),
    Fact('seed_dense_collection', 'as_written', Raises('RuntimeError', 'placeholder() is not compatible with eager execution'), since='2.0', flavours=('keras2',)),
    Fact('seed_dense_collection', 'as_written', Raises('RuntimeError', 'placeholder() is not compatible with eager execution'), since='2.16', flavours=('keras3', 'legacy',)),
    Fact('train_one_step', 'graph_mode', SAME, since='2.0', flavours=('keras2',)),
    Fact('train_one_step', 'graph_mode', Raises('TypeError', "unexpected keyword argument 'l'"), since='2.16', flavours=('keras3',)),
    Fact('train_one_step', 'graph_mode', SAME, since='2.16', flavours=('legacy',)),
    Fact('train_one_step', 'as_written', Raises('RuntimeError', 'should be a function when eager execution is enabled'), since='2.0', flavours=('keras2',)),
    Fact('train_one_step', 'as_written', Raises('TypeError', "unexpected keyword argument 'l'"), since='2.16', flavours=('keras3',)),
    Fact('train_one_step', 'as_written', Raises('RuntimeError', 'should be a function when eager execution is enabled'), since='2.16', flavours=('legacy',)),
    Fact('variable_add_to_collection', 'graph_mode', SAME, since='2.0', flavours=('keras2',)),
    Fact('variable_add_to_collection', 'graph_mode', SAME, since='2.16', flavours=('keras3', 'legacy',)),
    Fact('variable_add_to_collection', 'as_written', Raises('AttributeError', 'when eager execution is enabled'), since='2.0', flavours=('keras2',)),
    Fact('variable_add_to_collection', 'as_written', Raises('AttributeError', 'when eager execution is enabled'), since='2.16', flavours=('keras3', 'legacy',)),
    Fact('variable_scope_regularizer', 'graph_mode', SAME, since='2.0', flavours=('keras2',)),
    Fact('variable_scope_regularizer', 'graph_mode', SAME, since='2.16', flavours=('keras3', 'legacy',)),
    Fact('variable_scope_regularizer', 'as_written', Raises('AttributeError', 'when eager execution is enabled'), since='2.0', flavours=('keras2',)),
    Fact('variable_scope_regularizer', 'as_written', Raises('AttributeError', 'when eager execution is enabled'), since='2.16', flavours=('keras3', 'legacy',)),
    Fact('seed_dense_collection.tf2_15', 'graph_mode', SAME, since='2.0', flavours=('keras2',)),
    Fact('seed_dense_collection.tf2_15', 'graph_mode', Raises('AttributeError', '`dense` is not available with Keras 3'), since='2.16', flavours=('keras3',)),
    Fact('seed_dense_collection.tf2_15', 'graph_mode', SAME, since='2.16', flavours=('legacy',)),
    Fact('seed_dense_collection.tf2_15', 'as_written', Raises('RuntimeError', 'placeholder() is not compatible with eager execution'), since='2.0', flavours=('keras2',)),
    Fact('seed_dense_collection.tf2_15', 'as_written', Raises('RuntimeError', 'placeholder() is not compatible with eager execution'), since='2.16', flavours=('keras3', 'legacy',)),

]
