"""Runs moto's server for flowship's tests on a loopback port.

Usage: serve.py CONFIG_JSON. CONFIG_JSON is merged into moto's own configuration
(moto.core.config.default_user_config, e.g. {"stepfunctions": {"execute_state_machine": true}}).
The small patches in patches.py (and interpreter.py, for moto's Step Functions interpreter) fill
the gaps in moto that flowship meets; each cites the AWS page it follows. A section "flowship"
of CONFIG_JSON is not moto's: it switches on the test helpers' own additions (`batch_sandbox`:
Batch jobs run their command, see batch_sandbox.py). Prints one JSON line, {"port": N}, once the
server listens, and runs until its standard input closes, so it ends with the test process that
started it.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from moto.core.config import default_user_config  # noqa: E402
from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: E402

import interpreter  # noqa: E402
import patches  # noqa: E402


def main() -> None:
    config = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    own = config.pop("flowship", {})
    for section, values in config.items():
        default_user_config.setdefault(section, {}).update(values)
    patches.apply()
    interpreter.apply()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    # moto's Step Functions interpreter calls the other services (Batch, S3) at
    # localhost:$MOTO_PORT (moto/stepfunctions/parser/asl/utils/boto_client.py): this server's port.
    os.environ["MOTO_PORT"] = str(port)
    if "batch_sandbox" in own:
        import batch_sandbox

        batch_sandbox.apply({**own["batch_sandbox"], "endpoint": f"http://127.0.0.1:{port}"})
    print(json.dumps({"port": port}), flush=True)
    sys.stdin.read()
    server.stop()


main()
