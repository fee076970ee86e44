# expect-reason: ok
# attack: reach the host's PostgreSQL (127.0.0.1:5432, ::1, localhost) and the test listener.
import os
import socket


def gradient(out):
    results = {}
    targets = [("127.0.0.1", 5432), ("::1", 5432), ("localhost", 5432),
               ("127.0.0.1", int(os.environ.get("PROBE_PORT", "5432")))]
    for host, port in targets:
        try:
            with socket.create_connection((host, port), timeout=1):
                results[f"{host}:{port}"] = "CONNECTED"
        except OSError as error:
            results[f"{host}:{port}"] = f"refused: {error}"
    print(results)
    return results
