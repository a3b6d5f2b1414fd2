"""One GradientDescentOptimizer step on sum(w) + contrib l2 penalty, then the penalty of the updated
weights. w = ones(4, 3), scale 0.5, learning rate 0.5: w becomes 1 - 0.5 * (1 + 0.5 * 1) = 0.25."""
import tensorflow as tf

w = tf.get_variable("w", shape=[4, 3], initializer=tf.ones_initializer(),
                    regularizer=tf.contrib.layers.l2_regularizer(scale=0.5))
loss = tf.reduce_sum(w) + tf.losses.get_regularization_loss()
step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
penalty = tf.losses.get_regularization_loss()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(step)
    print("REGEQUIV_RESULT %r" % float(sess.run(penalty)))
