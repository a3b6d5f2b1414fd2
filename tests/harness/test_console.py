"""equivalence/console.py: a warning raised again and again is printed once with its count,
and progress without a terminal is one plain line per step."""

import io
import warnings

from equivalence.console import Progress, summarized_warnings


def _upstream_call():
    warnings.warn("`layer.apply` is deprecated", UserWarning)


def test_a_repeated_warning_is_printed_once_with_its_count():
    stream = io.StringIO()
    repeats = 7
    with summarized_warnings(stream=stream) as caught:
        warnings.simplefilter("default")  # once per place, until a filter change resets the registry
        for _ in range(repeats):
            with warnings.catch_warnings():  # as TensorFlow's code does: it resets the once-registry
                warnings.simplefilter("default")
                _upstream_call()
            warnings.warn("another one", DeprecationWarning)
    text = stream.getvalue()
    assert len(caught) == 2 * repeats, [str(w.message) for w in caught]
    lines = text.splitlines()
    assert lines[0] == "%d upstream warnings, 2 distinct (each shown once):" % (2 * repeats), text
    assert sum("`layer.apply` is deprecated" in line for line in lines) == 1, text
    assert any(line.strip().startswith("%d x UserWarning: `layer.apply`" % repeats) for line in lines), text


def test_an_ignored_warning_stays_ignored():
    stream = io.StringIO()
    with summarized_warnings(stream=stream) as caught:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _upstream_call()
    assert caught == [] and stream.getvalue() == ""


def test_progress_without_a_terminal_prints_one_line_per_step():
    stream = io.StringIO()  # not a terminal
    steps = ["route a", "route b", "semantics table: lambda"]
    with Progress(len(steps), "report env", stream=stream) as progress:
        for step in steps:
            progress(step)
    assert stream.getvalue().splitlines() == [
        "[report env %d/%d] %s" % (i + 1, len(steps), s) for i, s in enumerate(steps)]


def test_quiet_progress_prints_nothing():
    stream = io.StringIO()
    with Progress(2, "x", quiet=True, stream=stream) as progress:
        progress("a")
        progress("b")
    assert stream.getvalue() == ""
