"""tf.Variable, its contrib l2 penalty added by hand with tf.add_to_collection, the collection
read with add_n. Weights 6x2 of (i mod 5) / 2 - 1, scale 0.3."""
import numpy as np
import tensorflow as tf

v0 = (np.arange(12) % 5).reshape(6, 2).astype(np.float32) / 2 - 1
v = tf.Variable(v0, name="v")
tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.contrib.layers.l2_regularizer(0.3)(v))
penalty = tf.add_n(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("REGEQUIV_RESULT %r" % float(sess.run(penalty)))
