#!/usr/bin/env python3
"""A minimal TP-Link Kasa (legacy "IOT" protocol) client, standard library only.

Written from the wire facts in docs/protocol.md, independently of the project's
TypeScript code, so the interop tests can check our simulator against a client
that shares none of its code.

    kasa_client.py HOST PORT JSON [--udp] [--chunk N] [--timeout S]
    kasa_client.py --encrypt JSON      (prints the framed ciphertext as hex)

Prints the decrypted reply on stdout, and "reads=N bytes=M" on stderr (how many
recv() calls the TCP reply took). Exit status: 0 ok, 2 usage, 3 network error or
timeout, 4 broken reply (length, truncation).
"""

import socket
import struct
import sys

INITIAL_KEY = 171
MAX_REPLY = 1024 * 1024  # real replies are a few KB; more is a broken peer


def encrypt(plain: bytes) -> bytes:
    key = INITIAL_KEY
    out = bytearray()
    for p in plain:
        key ^= p
        out.append(key)
    return bytes(out)


def decrypt(cipher: bytes) -> bytes:
    key = INITIAL_KEY
    out = bytearray()
    for c in cipher:
        out.append(c ^ key)
        key = c
    return bytes(out)


def frame(plain: bytes) -> bytes:
    body = encrypt(plain)
    return struct.pack(">I", len(body)) + body


class BrokenReply(Exception):
    pass


def recv_exact(sock: socket.socket, n: int, buf: bytearray, chunk: int, stats: dict) -> None:
    """Reads until buf holds n bytes; each recv() takes at most `chunk` bytes."""
    while len(buf) < n:
        data = sock.recv(min(chunk, n - len(buf)))
        if not data:
            raise BrokenReply("connection closed after %d of %d bytes" % (len(buf), n))
        stats["reads"] += 1
        buf.extend(data)


def tcp_request(host: str, port: int, plain: bytes, chunk: int, timeout: float, stats: dict) -> bytes:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        sock.sendall(frame(plain))
        buf = bytearray()
        recv_exact(sock, 4, buf, chunk, stats)  # the header itself may arrive in pieces
        (length,) = struct.unpack(">I", bytes(buf[:4]))
        if length > MAX_REPLY:
            raise BrokenReply("length header claims %d bytes" % length)
        recv_exact(sock, 4 + length, buf, chunk, stats)
        stats["bytes"] = len(buf)
        return decrypt(bytes(buf[4:4 + length]))


def udp_request(host: str, port: int, plain: bytes, timeout: float, stats: dict) -> bytes:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(encrypt(plain), (host, port))  # no length header over UDP
        while True:
            data, addr = sock.recvfrom(65535)
            if addr[1] == port:
                stats["reads"] += 1
                stats["bytes"] = len(data)
                return decrypt(data)


def main(argv) -> int:
    if len(argv) == 2 and argv[0] == "--encrypt":
        print(frame(argv[1].encode("utf-8")).hex())
        return 0
    args = [a for a in argv]
    udp = "--udp" in args
    if udp:
        args.remove("--udp")
    chunk = 4096
    timeout = 3.0
    for opt in ("--chunk", "--timeout"):
        if opt in args:
            i = args.index(opt)
            try:
                value = args[i + 1]
            except IndexError:
                print("%s needs a value" % opt, file=sys.stderr)
                return 2
            if opt == "--chunk":
                chunk = int(value)
            else:
                timeout = float(value)
            del args[i:i + 2]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, request = args[0], int(args[1]), args[2].encode("utf-8")
    stats = {"reads": 0, "bytes": 0}
    try:
        if udp:
            reply = udp_request(host, port, request, timeout, stats)
        else:
            reply = tcp_request(host, port, request, max(1, chunk), timeout, stats)
    except BrokenReply as e:
        print("broken reply: %s" % e, file=sys.stderr)
        return 4
    except OSError as e:  # refused, reset, timeout
        print("network error: %s" % e, file=sys.stderr)
        return 3
    sys.stdout.write(reply.decode("utf-8"))
    sys.stdout.write("\n")
    print("reads=%d bytes=%d" % (stats["reads"], stats["bytes"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
