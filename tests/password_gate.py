"""A password in front of the test server, whose clients need none (trust authentication).

The gate listens on a local port and speaks the start of PostgreSQL's protocol itself: it turns
down SSL and GSS encryption, asks the client for a cleartext password, and answers a wrong one
with the server's own error (SQLSTATE 28P01, "password authentication failed"). A client with
no password gives up by itself ("fe_sendauth: no password supplied"). After the right one it
hands the client's start-up message to the real server and relays both ways, so libpq and the
program see a server that wants a password, as an office's does.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

SSL_REQUEST = 80877103
GSS_REQUEST = 80877104
AUTH_CLEARTEXT = 3
SERVER_PASSWORD = "qinghe-2025"  # what the tests' gate (tests/conftest.py ``gate``) asks for


def _read(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _error(code: str, text: str) -> bytes:
    fields = b"".join(key + value.encode() + b"\0" for key, value in (
        (b"S", "FATAL"), (b"V", "FATAL"), (b"C", code), (b"M", text))) + b"\0"
    return b"E" + struct.pack("!i", len(fields) + 4) + fields


class PasswordGate:
    """``url(name)``: the database ``name`` of the server at ``host:port``, behind ``password``."""

    def __init__(self, host: str, port: int, password: str):
        self.upstream = (host, int(port))
        self.password = password
        self.refused = 0  # wrong passwords answered
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, user: str, database: str) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client, contextlib.suppress(OSError, ConnectionError):
            while True:  # encryption requests first, then the start-up message
                length = struct.unpack("!i", _read(client, 4))[0]
                body = _read(client, length - 4)
                code = struct.unpack("!i", body[:4])[0]
                if code not in (SSL_REQUEST, GSS_REQUEST):
                    break
                client.sendall(b"N")
            startup = struct.pack("!i", length) + body
            params = body[4:].split(b"\0")
            user = dict(zip(params[::2], params[1::2])).get(b"user", b"").decode()
            client.sendall(b"R" + struct.pack("!ii", 8, AUTH_CLEARTEXT))
            if _read(client, 1) != b"p":
                return
            size = struct.unpack("!i", _read(client, 4))[0]
            given = _read(client, size - 4).rstrip(b"\0").decode()
            if given != self.password:
                self.refused += 1
                client.sendall(_error("28P01", f'password authentication failed for user "{user}"'))
                return
            with socket.create_connection(self.upstream) as server:
                server.sendall(startup)
                relay = threading.Thread(target=self._pipe, args=(server, client), daemon=True)
                relay.start()
                self._pipe(client, server)
                relay.join()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                target.sendall(chunk)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)
