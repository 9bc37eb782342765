"""Runs moto's server for flowship's tests on a loopback port.

Usage: serve.py CONFIG_JSON. CONFIG_JSON is merged into moto's own configuration
(moto.core.config.default_user_config, e.g. {"stepfunctions": {"execute_state_machine": true}}).
The small patches in patches.py fill the gaps in moto that flowship meets; each cites the AWS
page it follows. Prints one JSON line, {"port": N}, once the server listens, and runs until its
standard input closes, so it ends with the test process that started it.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from moto.core.config import default_user_config  # noqa: E402
from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: E402

import patches  # noqa: E402


def main() -> None:
    config = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    for section, values in config.items():
        default_user_config.setdefault(section, {}).update(values)
    patches.apply()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    print(json.dumps({"port": port}), flush=True)
    sys.stdin.read()
    server.stop()


main()
