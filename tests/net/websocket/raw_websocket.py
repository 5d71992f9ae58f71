"""A WebSocket client on a bare socket (RFC 6455 framing by hand), for what a library hides:
a peer that never answers pings, a peer that does not read, the exact frames and close codes.
Every blocking call runs under a socket timeout.
"""

import base64
import hashlib
import os
import socket
import struct
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class Frame:
    def __init__(self, fin, opcode, payload):
        self.fin = fin
        self.opcode = opcode
        self.payload = payload

    @property
    def close_code(self):
        assert self.opcode == OP_CLOSE
        return struct.unpack("!H", self.payload[:2])[0] if len(self.payload) >= 2 else None

    @property
    def close_reason(self):
        return self.payload[2:].decode("utf-8", "replace")

    def __repr__(self):
        return f"Frame(op=0x{self.opcode:x}, fin={self.fin}, {self.payload[:80]!r})"


def encode_frame(opcode, payload, mask=True, fin=True):
    """A client frame: masked, as RFC 6455 requires of clients."""
    header = bytearray([(0x80 if fin else 0) | opcode])
    n = len(payload)
    mask_bit = 0x80 if mask else 0
    if n < 126:
        header.append(mask_bit | n)
    elif n < 1 << 16:
        header.append(mask_bit | 126)
        header += struct.pack("!H", n)
    else:
        header.append(mask_bit | 127)
        header += struct.pack("!Q", n)
    if not mask:
        return bytes(header) + payload
    key = os.urandom(4)
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return bytes(header) + key + masked


class RawWebSocket:
    def __init__(self, port, token, rcvbuf=None, timeout=5.0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            # Before connect, so that the window the peer sees is small from the start.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.buffer = bytearray()
        self.eof = False
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   f"Sec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n")
        self.sock.sendall(request.encode())
        head = self._read_until(b"\r\n\r\n", deadline=time.monotonic() + timeout)
        status_line = head.split(b"\r\n", 1)[0].decode()
        if " 101 " not in status_line + " ":
            raise AssertionError(f"handshake answered {status_line!r}")
        expected = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if f"sec-websocket-accept: {expected}".lower() not in head.decode().lower():
            raise AssertionError(f"bad Sec-WebSocket-Accept in {head!r}")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- writing ----------------------------------------------------------------------------

    def send_text(self, text):
        self.sock.sendall(encode_frame(OP_TEXT, text.encode()))

    def send_close(self, code=1000):
        self.sock.sendall(encode_frame(OP_CLOSE, struct.pack("!H", code)))

    # --- reading ----------------------------------------------------------------------------

    def _fill(self, deadline):
        """Reads more bytes into the buffer; False at end of stream (FIN or reset)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no data before the deadline")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(1 << 16)
        except socket.timeout:
            raise TimeoutError("no data before the deadline")
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            return False
        self.buffer += data
        return True

    def _read_until(self, marker, deadline):
        while marker not in self.buffer:
            if not self._fill(deadline):
                raise AssertionError(f"connection closed before {marker!r}: {bytes(self.buffer)!r}")
        end = self.buffer.index(marker) + len(marker)
        head = bytes(self.buffer[:end])
        del self.buffer[:end]
        return head

    def _need(self, n, deadline):
        while len(self.buffer) < n:
            if not self._fill(deadline):
                return False
        return True

    def read_frame(self, timeout=5.0):
        """The next frame, or None at end of stream. TimeoutError when nothing comes in time."""
        deadline = time.monotonic() + timeout
        if not self._need(2, deadline):
            return None
        b0, b1 = self.buffer[0], self.buffer[1]
        if b1 & 0x80:
            raise AssertionError("the server sent a masked frame")
        n = b1 & 0x7F
        offset = 2
        if n == 126:
            if not self._need(4, deadline):
                return None
            n = struct.unpack("!H", self.buffer[2:4])[0]
            offset = 4
        elif n == 127:
            if not self._need(10, deadline):
                return None
            n = struct.unpack("!Q", self.buffer[2:10])[0]
            offset = 10
        if not self._need(offset + n, deadline):
            return None
        payload = bytes(self.buffer[offset:offset + n])
        del self.buffer[:offset + n]
        return Frame(bool(b0 & 0x80), b0 & 0x0F, payload)
