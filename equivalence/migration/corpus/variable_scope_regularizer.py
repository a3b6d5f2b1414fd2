"""tf.variable_scope(regularizer=contrib l2) over two get_variable calls, read by
tf.losses.get_regularization_losses() + tf.add_n. Weights 4x4 of i / 4 and 4 of 3 - i, scale 0.02."""
import numpy as np
import tensorflow as tf

a0 = np.arange(16).reshape(4, 4).astype(np.float32) / 4
b0 = (3 - np.arange(4)).astype(np.float32)
with tf.variable_scope("layer", regularizer=tf.contrib.layers.l2_regularizer(0.02)):
    a = tf.get_variable("a", shape=[4, 4], initializer=tf.constant_initializer(a0))
    b = tf.get_variable("b", shape=[4], initializer=tf.constant_initializer(b0))
penalty = tf.add_n(tf.losses.get_regularization_losses())
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("REGEQUIV_RESULT %r" % float(sess.run(penalty)))
