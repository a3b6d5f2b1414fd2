"""The penalty written by hand, and the migration mapping tf_upgrade_v2 writes."""

from ..harness import Built
from ..reference import HALF
from .registry import HALF_L2_KERNELS, KERAS_L2_GRADIENT_KERNELS, KERAS_L2_KERNELS, TF_KERAS, route


@route("scale * tf.nn.l2_loss(w)", family="manual",
       api_call="scale * tf.nn.l2_loss(w)", convention=HALF, kernels=HALF_L2_KERNELS)
def l2_loss_by_hand(api, src, lam):
    v = src.variable()
    return Built(lam * api.tf.nn.l2_loss(v), v)


@route("tf_upgrade_v2: tf.keras.regularizers.l2(0.5 * scale)(w)", family="manual",
       api_call="tf.keras.regularizers.l2(0.5 * (scale))(w)  # what tf_upgrade_v2 writes for "
                "tf.contrib.layers.l2_regularizer(scale)",
       convention=HALF, requires=[TF_KERAS], lambda_precision="float32",
       kernels=KERAS_L2_KERNELS, gradient_kernels=KERAS_L2_GRADIENT_KERNELS,
       notes="Keras stores its coefficient as floatx (float32); 0.5 * scale rounds to the same float32 "
             "as scale, halved, so the mapping is exact in every dtype.")
def upgrade_v2_mapping(api, src, lam):
    v = src.variable()
    return Built(api.tf_keras_module.regularizers.l2(0.5 * (lam))(v), v)
