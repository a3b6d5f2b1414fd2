import os, time
os.environ["TF_CPP_MIN_LOG_LEVEL"]="2"
import numpy as np, tensorflow as tf
v1 = getattr(getattr(tf,"compat",None),"v1",None) or tf
n = 2**24 + 4096
x = np.ones(n, np.float32)
g = tf.Graph()
with g.as_default():
    p = v1.placeholder(tf.float32, [n])
    a = tf.nn.l2_loss(p) * 2
    b = tf.reduce_sum(tf.square(p))
    with v1.Session(graph=g) as s:
        ra, rb = s.run([a, b], {p: x})
print(tf.__version__, "l2loss*2", ra, "sum(square)", rb, "exact", n)
# realistic error: random data
rng = np.random.RandomState(0); w = rng.standard_normal(2**24).astype(np.float32)
with g.as_default():
    q = v1.placeholder(tf.float32, [2**24]); c = tf.nn.l2_loss(q); d = tf.reduce_sum(tf.square(q))
    with v1.Session(graph=g) as s:
        rc, rd = s.run([c, d], {q: w})
ex = np.sum(w.astype(np.float64)**2)
print("rel err l2loss", rc*2/ex-1, "sum", rd/ex-1)
