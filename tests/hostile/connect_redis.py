# expect-reason: ok
# attack: reach the host's Redis (127.0.0.1:6379) and a listener the test opened.
import os
import socket


def gradient(out):
    results = {}
    for port in (6379, int(os.environ.get("PROBE_PORT", "6379"))):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"CONFIG GET *\r\n")
                results[port] = "CONNECTED " + repr(conn.recv(100))
        except OSError as error:
            results[port] = f"refused: {error}"
    print(results)
    return results
