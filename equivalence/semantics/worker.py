"""The worker process of runner.py: reads cell keys and active mutants (JSON) on stdin, answers one line per cell."""

import json
import os
import sys


def main():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    request = json.loads(sys.stdin.read())
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


if __name__ == "__main__":
    main()
