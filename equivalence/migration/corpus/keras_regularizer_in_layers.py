"""A tf.keras regularizer inside tf.layers: tf.layers.dense(kernel_regularizer=tf.keras.regularizers.l2(0.01))
puts the Keras (full) penalty into REGULARIZATION_LOSSES. Kernel 8x5 of ones."""
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 8])
logits = tf.layers.dense(x, 5, kernel_initializer=tf.ones_initializer(),
                         kernel_regularizer=tf.keras.regularizers.l2(0.01))
penalty = tf.add_n(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("REGEQUIV_RESULT %r" % float(sess.run(penalty)))
