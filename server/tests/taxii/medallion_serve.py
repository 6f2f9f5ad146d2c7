#!/usr/bin/env python3
"""Run medallion (the OASIS TAXII 2.1 reference server) for the Rust tests.

Usage: python3 medallion_serve.py PORT DATA_JSON USER PASSWORD

Memory backend loaded from DATA_JSON (see medallion_data.py), HTTP Basic auth
for USER/PASSWORD only, plain HTTP on 127.0.0.1:PORT, in the foreground.
Prints "ready" (one line, flushed) on stdout once the socket listens, and
nothing else on stdout afterwards. Exits when its stdin reaches EOF (so give
it a pipe, not /dev/null), on SIGTERM, or on SIGINT.

Request logging is off so an unread stderr pipe cannot fill up; set
HIKESHI_TAXII_VERBOSE=1 to get werkzeug's request lines on stderr.

Built on medallion 3.0.0's own configuration API, the same calls its
medallion.scripts.run:main makes (set_config for "users", "taxii", "backend",
then register_blueprints), served by werkzeug's make_server instead of
app.run so that readiness and shutdown are under our control.
"""
import logging
import os
import signal
import sys
import threading
from urllib.parse import urljoin

from werkzeug.serving import make_server

import medallion


def absolutize_discovery(backend, base):
    """Make the discovery's api_roots/default absolute for this port."""
    discovery = backend.data.get("/discovery")
    if not discovery:
        return
    if "api_roots" in discovery:
        discovery["api_roots"] = [urljoin(base, root) for root in discovery["api_roots"]]
    if "default" in discovery:
        discovery["default"] = urljoin(base, discovery["default"])


def build_app(data_json, user, password):
    configuration = {
        "users": {user: password},
        "taxii": {"max_page_size": 100},
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": data_json,
        },
    }
    app = medallion.application_instance
    medallion.set_config(app, "users", configuration)
    medallion.set_config(app, "taxii", configuration)
    medallion.set_config(app, "backend", configuration)
    medallion.register_blueprints(app)
    return app


class Stop(Exception):
    pass


def main(argv):
    if len(argv) != 5:
        sys.stderr.write("usage: medallion_serve.py PORT DATA_JSON USER PASSWORD\n")
        return 2
    port, data_json, user, password = int(argv[1]), argv[2], argv[3], argv[4]

    if not os.environ.get("HIKESHI_TAXII_VERBOSE"):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    app = build_app(data_json, user, password)
    absolutize_discovery(app.medallion_backend, "http://127.0.0.1:{}/".format(port))

    def on_signal(signum, frame):
        raise Stop()

    # make_server binds and listens before returning (exits 1 if the port is taken).
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="medallion", daemon=True)
    try:
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        thread.start()
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        while sys.stdin.buffer.read1(65536):
            pass  # discard anything written to us; EOF means "stop"
    except Stop:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if thread.is_alive():
            server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
