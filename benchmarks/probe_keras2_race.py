"""The symptom of standalone Keras 2's train-function race (training/models.py, the comment above
run_model_route): how often train_on_batch reports the penalty of the kernel after its SGD step.

  python -m benchmarks.probe_keras2_race [RUNS] [busy]     # in an env with keras 2.1.6 / 2.2.4 (TF 1.x)

Each run builds a fresh graph with one Dense(kernel_regularizer=l2(0.64)) of fixed weights, a data loss of
exactly 0 and SGD(lr=0.125), and counts the reported loss as the penalty before the step, after it
((1 - 2 lr lambda)^2 = 0.7056 of it), or other. `busy` adds two NumPy threads that compete for the cores.
Measured on TF 1.12 / Keras 2.2.4 here: 1 of 200 after the step (2026-12-04).
"""

import os
import sys
import threading

import numpy as np

LAMBDA, LR = 0.64, 0.125


def main(argv):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    import keras
    from keras import backend as K
    runs = int(argv[0]) if argv else 200
    stop = []
    if len(argv) > 1 and argv[1] == "busy":
        def hog():
            a = np.random.rand(300, 300)
            while not stop:
                a.dot(a)
        for _ in range(2):
            threading.Thread(target=hog, daemon=True).start()
    w = np.random.RandomState(0).randn(4, 3).astype(np.float32)
    lam = float(np.float32(LAMBDA))
    before = lam * float((w.astype(np.float64) ** 2).sum())
    after = lam * float(((w * (1 - 2 * LR * np.float32(LAMBDA))).astype(np.float64) ** 2).sum())
    counts = {"before": 0, "after": 0, "other": 0}
    for _ in range(runs):
        graph = tf.Graph()
        with graph.as_default():
            sess = tf.Session(graph=graph)
            K.set_session(sess)
            model = keras.Sequential([keras.layers.Dense(
                3, input_shape=(4,), bias_initializer="zeros", kernel_initializer=keras.initializers.Constant(w),
                kernel_regularizer=keras.regularizers.l2(LAMBDA))])
            model.compile(keras.optimizers.SGD(lr=LR), lambda y_true, y_pred: 0.0 * K.sum(y_pred))
            loss = model.train_on_batch(np.ones((2, 4), np.float32), np.zeros((2, 3), np.float32))
            sess.close()
        kind = ("before" if abs(loss - before) <= 1e-5 * before else
                "after" if abs(loss - after) <= 1e-5 * after else "other")
        counts[kind] += 1
    stop.append(True)
    print("%s of %d train_on_batch calls (penalty before %.6g, after %.6g: ratio %.4f)" % (
        counts, runs, before, after, after / before))


if __name__ == "__main__":
    main(sys.argv[1:])
