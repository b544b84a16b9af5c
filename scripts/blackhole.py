#!/usr/bin/env python3
"""A TCP port on loopback that never answers: connect() to it hangs in SYN-SENT.

How: listen with backlog 0 and never accept(); then fill the accept queue with
our own connections. Linux drops every further SYN while the accept queue is
full, so a client's connect() neither succeeds nor is refused: it retransmits
its SYN until it gives up (about two minutes by default), exactly like a host
that dropped off the network.

Prints one JSON line {"host", "port", "fillers", "verified"} once the port is
black, then waits; it exits (closing the port) when stdin reaches EOF or on
SIGTERM/SIGINT. Only loopback addresses are accepted.

  python3 scripts/blackhole.py [--host 127.0.0.1] [--port 0]
"""
import argparse
import json
import select
import signal
import socket
import sys
import time

LOOPBACK = ('127.', '::1')


def connected(sock, wait):
    """True when a non-blocking connect completed within `wait` seconds."""
    _, w, _ = select.select([], [sock], [], wait)
    return bool(w) and sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=0)
    args = ap.parse_args()
    if not args.host.startswith(LOOPBACK):
        sys.exit('blackhole.py: only loopback addresses (127.x, ::1)')

    family = socket.AF_INET6 if ':' in args.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, args.port))
    listener.listen(0)  # never accept()ed
    port = listener.getsockname()[1]

    # Fill the accept queue: connect until one connect() no longer completes.
    fillers = []
    verified = False
    for _ in range(16):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((args.host, port))
        fillers.append(s)
        if not connected(s, 0.3):
            verified = True  # this SYN was dropped: the queue is full
            break

    print(json.dumps({'host': args.host, 'port': port, 'fillers': len(fillers), 'verified': verified}), flush=True)

    def leave(*_):
        for s in fillers:
            s.close()
        listener.close()
        sys.exit(0)

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGINT, leave)
    # Wait for EOF on stdin (the parent went away or asked us to stop).
    try:
        while True:
            r, _, _ = select.select([sys.stdin], [], [], 3600)
            if r and not sys.stdin.buffer.read1(4096):
                break
    except (OSError, ValueError):
        time.sleep(3600)
    leave()


if __name__ == '__main__':
    main()
