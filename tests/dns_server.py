"""An authoritative DNS server on loopback (UDP and TCP) whose records tests set.

Built on dnspython's message parsing. Over UDP, an answer larger than the
client allows (512 bytes without EDNS) comes back truncated with the TC flag,
so resolvers retry over TCP — exactly as with a real server and long DKIM keys.
"""

import socket
import struct
import threading

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

TIMEOUT = "timeout"
SERVFAIL = "servfail"


def _txt_rdata(value: str) -> str:
    """A TXT value as zone-file text, split into strings of at most 255 bytes."""
    data = value.encode()
    chunks = [data[i : i + 255] for i in range(0, len(data), 255)] or [b""]
    quoted = []
    for chunk in chunks:
        text = chunk.decode().replace("\\", "\\\\").replace('"', '\\"')
        quoted.append(f'"{text}"')
    return " ".join(quoted)


class FixtureDnsServer:
    def __init__(self) -> None:
        self._records: dict[tuple[str, str], list[str]] = {}
        self._behaviours: dict[str, str] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.queries: list[tuple[str, str, str]] = []  # (name, type, transport)
        self.port = 0
        # Largest UDP answer sent; lower it to force truncation and a TCP retry.
        self.max_udp_payload = 4096

    # --- what tests call ---

    def set(self, name: str, rdtype: str, values: list[str]) -> None:
        with self._lock:
            self._records[(self._key(name), rdtype.upper())] = list(values)

    def remove(self, name: str, rdtype: str) -> None:
        with self._lock:
            self._records.pop((self._key(name), rdtype.upper()), None)

    def fail(self, name: str, behaviour: str) -> None:
        """Make queries for `name` time out (no reply) or get SERVFAIL."""
        with self._lock:
            self._behaviours[self._key(name)] = behaviour

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._behaviours.clear()
            self.queries.clear()
            self.max_udp_payload = 4096

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    # --- serving ---

    @staticmethod
    def _key(name: str) -> str:
        return name.lower().rstrip(".")

    def start(self) -> None:
        for _ in range(20):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                tcp.bind(("127.0.0.1", port))
            except OSError:
                udp.close()
                tcp.close()
                continue
            break
        else:
            raise RuntimeError("no free port for both UDP and TCP")
        tcp.listen(16)
        udp.settimeout(0.2)
        tcp.settimeout(0.2)
        self._udp, self._tcp, self.port = udp, tcp, port
        self._threads = [
            threading.Thread(target=self._serve_udp, daemon=True),
            threading.Thread(target=self._serve_tcp, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=2)
        self._udp.close()
        self._tcp.close()

    def _serve_udp(self) -> None:
        while not self._stopping.is_set():
            try:
                wire, client = self._udp.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            reply = self._answer(wire, "udp")
            if reply is not None:
                self._udp.sendto(reply, client)

    def _serve_tcp(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._tcp.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(
                target=self._serve_tcp_client, args=(conn,), daemon=True
            ).start()

    def _serve_tcp_client(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                while True:
                    header = self._read_exact(conn, 2)
                    if header is None:
                        return
                    (length,) = struct.unpack("!H", header)
                    wire = self._read_exact(conn, length)
                    if wire is None:
                        return
                    reply = self._answer(wire, "tcp")
                    if reply is None:
                        return
                    conn.sendall(struct.pack("!H", len(reply)) + reply)
            except OSError:
                return

    @staticmethod
    def _read_exact(conn: socket.socket, size: int) -> bytes | None:
        data = b""
        while len(data) < size:
            chunk = conn.recv(size - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def _answer(self, wire: bytes, transport: str) -> bytes | None:
        query = dns.message.from_wire(wire)
        question = query.question[0]
        name = self._key(question.name.to_text())
        rdtype = dns.rdatatype.to_text(question.rdtype)
        with self._lock:
            self.queries.append((name, rdtype, transport))
            behaviour = self._behaviours.get(name)
            values = self._records.get((name, rdtype))
            name_exists = any(key[0] == name for key in self._records)
        if behaviour == TIMEOUT:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if behaviour == SERVFAIL:
            response.set_rcode(dns.rcode.SERVFAIL)
        elif values:
            texts = [_txt_rdata(v) if rdtype == "TXT" else v for v in values]
            response.answer.append(
                dns.rrset.from_text_list(
                    question.name,
                    300,
                    "IN",
                    rdtype,
                    texts,
                    origin=dns.name.root,
                    relativize=False,
                )
            )
        elif not name_exists:
            response.set_rcode(dns.rcode.NXDOMAIN)
        reply = response.to_wire()
        limit = min(query.payload if query.edns >= 0 else 512, self.max_udp_payload)
        if transport == "udp" and len(reply) > limit:
            response.answer = []
            response.flags |= dns.flags.TC
            reply = response.to_wire()
        return reply
