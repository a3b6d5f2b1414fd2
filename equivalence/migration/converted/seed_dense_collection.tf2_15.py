"""Seed document 1: tf.layers.dense 784 -> 10, a kernel of ones, contrib l2 at scale 0.01,
the REGULARIZATION_LOSSES collection read with add_n and evaluated. TF 1.x prints 39.2."""
import tensorflow as tf

x = tf.compat.v1.placeholder(tf.float32, [None, 784])
logits = tf.compat.v1.layers.dense(x, 10, kernel_initializer=tf.compat.v1.ones_initializer(),
                         kernel_regularizer=tf.keras.regularizers.l2(l=0.5 * (0.01)))
penalty = tf.add_n(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES))
with tf.compat.v1.Session() as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
    print("REGEQUIV_RESULT %r" % float(sess.run(penalty)))
