"""Which summation order the installed TensorFlow uses on CPU (the measurement behind reduction.py).

  python -m benchmarks.probe_reduction

Sums 2**24 standard-normal float32 squares with tf.nn.l2_loss and with
reduce_sum(square), in a v1 graph, and prints their relative error against
NumPy in float64. A block+pairwise reduction stays within 6.2e-5 (tolerance.py);
recursive summation drifts far beyond it.
"""

import os

import numpy as np


def main():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    v1 = getattr(getattr(tf, "compat", None), "v1", None) or tf
    n = 2 ** 24
    w = np.random.RandomState(0).standard_normal(n).astype(np.float32)
    exact = float(np.sum(np.square(w.astype(np.float64))))
    graph = tf.Graph()
    with graph.as_default():
        feed = v1.placeholder(tf.float32, [n])
        half, full = tf.nn.l2_loss(feed), tf.reduce_sum(tf.square(feed))
        with v1.Session(graph=graph) as sess:
            got_half, got_full = sess.run([half, full], {feed: w})
    print("TF %s, 2**24 float32 squares: relative error l2_loss %.3g, reduce_sum(square) %.3g" % (
        tf.__version__, 2 * float(got_half) / exact - 1, float(got_full) / exact - 1))


if __name__ == "__main__":
    main()
