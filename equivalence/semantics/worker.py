"""The worker process of runner.py: reads cell keys and active mutants (JSON) on stdin, answers one line per cell.

A key is an area's (area, probe, subject) (areas.py; the Keras models table is the area "models").
"logical_cpus": n splits the CPU into n logical devices before TensorFlow initializes
them (MirroredStrategy over two replicas on one CPU).
"""

import json
import os
import sys


def main():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    request = json.loads(sys.stdin.read())
    if request.get("logical_cpus"):
        logical_cpus(int(request["logical_cpus"]))
    from ..environment import get_api
    from ..selfvalidation.mutants import activate
    from .areas import observe
    api = get_api()
    for name in request["mutants"]:
        activate(name)
    keys = request["keys"]
    out = sys.stdout
    for key in keys:
        obs = observe(api, key)
        out.write("@@cell %s\n" % json.dumps({"key": key, "obs": obs}))
        out.flush()


def logical_cpus(n):
    """Split the first physical CPU into n logical devices (before any op initializes the runtime)."""
    import tensorflow as tf
    config = tf.config
    listed = getattr(config, "list_physical_devices", None) or config.experimental.list_physical_devices
    configure = (getattr(config, "set_logical_device_configuration", None)
                 or config.experimental.set_virtual_device_configuration)
    device = (getattr(config, "LogicalDeviceConfiguration", None)
              or config.experimental.VirtualDeviceConfiguration)
    configure(listed("CPU")[0], [device() for _ in range(n)])


if __name__ == "__main__":
    main()
