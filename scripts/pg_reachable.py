"""Exit 0 when a PostgreSQL server accepts connections on 127.0.0.1:5432 (used by `make test`)."""

import socket
import sys

try:
    socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
except OSError:
    sys.exit(1)
sys.exit(0)
