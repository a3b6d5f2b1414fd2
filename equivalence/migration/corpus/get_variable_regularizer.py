"""tf.get_variable(regularizer=contrib l2), read by tf.losses.get_regularization_loss().
Weights 5x3 of (i - 7) / 8, scale 0.1."""
import numpy as np
import tensorflow as tf

w0 = (np.arange(15) - 7).reshape(5, 3).astype(np.float32) / 8
w = tf.get_variable("w", shape=[5, 3], initializer=tf.constant_initializer(w0),
                    regularizer=tf.contrib.layers.l2_regularizer(scale=0.1))
penalty = tf.losses.get_regularization_loss()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("REGEQUIV_RESULT %r" % float(sess.run(penalty)))
