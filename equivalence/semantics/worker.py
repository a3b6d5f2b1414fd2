"""The worker process of runner.py: reads cell keys (JSON) on stdin, answers one line per cell."""

import json
import os
import sys


def main():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    keys = json.loads(sys.stdin.read())
    from ..environment import get_api
    from .areas import observe
    api = get_api()
    out = sys.stdout
    for key in keys:
        obs = observe(api, key)
        out.write("@@cell %s\n" % json.dumps({"key": key, "obs": obs}))
        out.flush()


if __name__ == "__main__":
    main()
