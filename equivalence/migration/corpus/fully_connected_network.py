"""A two-layer tf.contrib.layers.fully_connected network, 6 -> 4 -> 3, both weights regularized by
contrib l2 at scale 0.01 (kernels of 1/2 and -1/4), read by tf.losses.get_regularization_loss()."""
import tensorflow as tf

regularizer = tf.contrib.layers.l2_regularizer(scale=0.01)
x = tf.placeholder(tf.float32, [None, 6])
hidden = tf.contrib.layers.fully_connected(x, 4, weights_initializer=tf.constant_initializer(0.5),
                                           weights_regularizer=regularizer)
logits = tf.contrib.layers.fully_connected(hidden, 3, activation_fn=None,
                                           weights_initializer=tf.constant_initializer(-0.25),
                                           weights_regularizer=regularizer)
penalty = tf.losses.get_regularization_loss()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("REGEQUIV_RESULT %r" % float(sess.run(penalty)))
