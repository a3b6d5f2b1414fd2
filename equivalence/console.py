"""Quiet, readable output: upstream warnings summarized once, progress through tqdm.

* `summarized_warnings()` records every Python warning the run would print
  (the filters in force decide, exactly as without it) and prints one line per
  distinct warning at the end, with how many times it was raised: TensorFlow's
  code resets the warnings registry (each `warnings.catch_warnings` block
  does), so the same deprecation otherwise prints once per example, between
  the report's lines (`layer.apply` is deprecated: 26 times in one
  `tox -e report` on TF 2.21).
* `Progress(total, desc)` is a callable `progress(message)` that advances a
  tqdm bar on stderr by one step and shows the message beside it. Without a
  terminal (tox logs, CI) or without tqdm installed it prints one plain line
  per step instead, so a log still says where a long run is.
"""

import contextlib
import os
import sys
import warnings


def _short_path(filename):
    """site-packages/tensorflow/python/x.py -> tensorflow/python/x.py (the upstream module)."""
    marker = os.sep + "site-packages" + os.sep
    return filename.split(marker, 1)[1] if marker in filename else filename


@contextlib.contextmanager
def summarized_warnings(stream=None, quiet=False):
    """Record warnings inside the block; on exit print each distinct one once, with its count.

    Yields the list of recorded `warnings.WarningMessage`s. `quiet` prints nothing.
    """
    with warnings.catch_warnings(record=True) as caught:
        # record=True keeps the filters as they are: what is recorded is what would have printed.
        try:
            yield caught
        finally:
            if not quiet:
                write_summary(caught, stream or sys.stderr)


def summary_lines(caught):
    counts, order = {}, []
    for w in caught:
        key = (w.category.__name__, str(w.message).strip().splitlines()[0] if str(w.message).strip() else "",
               _short_path(w.filename), w.lineno)
        if key not in counts:
            order.append(key)
            counts[key] = 0
        counts[key] += 1
    if not order:
        return []
    lines = ["%d upstream warnings, %d distinct (each shown once):" % (len(caught), len(order))]
    for key in order:
        category, message, filename, lineno = key
        lines.append("  %4d x %s: %s  (%s:%d)" % (counts[key], category, message[:160], filename, lineno))
    return lines


def write_summary(caught, stream):
    lines = summary_lines(caught)
    if lines:
        stream.write("\n".join(lines) + "\n")
        stream.flush()


def _tqdm():
    try:
        from tqdm import tqdm
    except ImportError:  # declared in pyproject.toml / tox.ini; an env without it prints plain lines
        return None
    return tqdm


class Progress(object):
    """`progress(message)`: one step done, `message` says what is running now.

    A tqdm bar when stderr is a terminal and tqdm is installed; otherwise plain
    "[desc i/total] message" lines. `quiet` shows nothing. Use as a context
    manager (or call close()) to end the bar.
    """

    def __init__(self, total, desc, quiet=False, stream=None):
        self.total, self.desc, self.quiet, self.count = total, desc, quiet, 0
        self.stream = stream or sys.stderr
        tqdm = _tqdm()
        tty = getattr(self.stream, "isatty", lambda: False)()
        self.bar = None
        if tqdm is not None and tty and not quiet:
            self.bar = tqdm(total=total, desc=desc, unit="step", file=self.stream, dynamic_ncols=True,
                            leave=True)

    def __call__(self, message):
        self.count += 1
        if self.quiet:
            return
        if self.bar is not None:
            if self.count > 1:
                self.bar.update(1)
            self.bar.set_postfix_str(message[:80])
            return
        self.stream.write("[%s %d/%d] %s\n" % (self.desc, self.count, self.total, message))
        self.stream.flush()

    def write(self, line):
        """A line of output that must not break the bar (the mutation run's rows)."""
        if self.bar is not None:
            self.bar.write(line, file=sys.stdout)
        else:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def close(self):
        if self.bar is not None:
            self.bar.update(self.total - self.bar.n)
            self.bar.close()
            self.bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
