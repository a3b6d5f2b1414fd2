"""tf.contrib.layers.apply_regularization(contrib l2, [w1, w2]): the sum of both penalties.
Weights 3x3 of i / 8 and 2x5 of 1 - i / 4, scale 0.25."""
import numpy as np
import tensorflow as tf

w1 = tf.Variable(np.arange(9).reshape(3, 3).astype(np.float32) / 8)
w2 = tf.Variable(1 - np.arange(10).reshape(2, 5).astype(np.float32) / 4)
penalty = tf.contrib.layers.apply_regularization(tf.contrib.layers.l2_regularizer(scale=0.25), [w1, w2])
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("REGEQUIV_RESULT %r" % float(sess.run(penalty)))
