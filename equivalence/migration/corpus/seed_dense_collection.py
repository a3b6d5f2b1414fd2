"""Seed document 1: tf.layers.dense 784 -> 10, a kernel of ones, contrib l2 at scale 0.01,
the REGULARIZATION_LOSSES collection read with add_n and evaluated. TF 1.x prints 39.2."""
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 784])
logits = tf.layers.dense(x, 10, kernel_initializer=tf.ones_initializer(),
                         kernel_regularizer=tf.contrib.layers.l2_regularizer(scale=0.01))
penalty = tf.add_n(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("REGEQUIV_RESULT %r" % float(sess.run(penalty)))
