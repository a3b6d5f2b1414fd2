"""tf.layers.conv2d with a contrib l2 kernel regularizer (positional scale), read by
tf.losses.get_regularization_loss(). Kernel 3x3x2x4 of (i mod 7) / 4."""
import numpy as np
import tensorflow as tf

kernel = (np.arange(72) % 7).reshape(3, 3, 2, 4).astype(np.float32) / 4
images = tf.placeholder(tf.float32, [None, 8, 8, 2])
features = tf.layers.conv2d(images, 4, 3, kernel_initializer=tf.constant_initializer(kernel),
                            kernel_regularizer=tf.contrib.layers.l2_regularizer(0.05))
penalty = tf.losses.get_regularization_loss()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("REGEQUIV_RESULT %r" % float(sess.run(penalty)))
