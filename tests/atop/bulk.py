#!/usr/bin/python3
"""One TCP bulk transfer in one direction, for atop_bandwidth.sh.

    bulk.py recv ADDR PORT        accept one connection, read it to its end
    bulk.py send ADDR PORT BYTES  connect, and on a line from stdin send BYTES

The receiver prints "listening" once it listens and "received N" at the end.
The sender connects first (the handshake stays out of the measured
interval), prints "connected", waits for a line on stdin, sends, shuts its
side down and waits for the receiver's end, so that every byte was acked,
then prints "sent N" and stays alive until stdin ends: atop reports only
live processes when it has no process accounting.
"""
import socket
import sys


def recv(addr, port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(1)
    print("listening", flush=True)
    conn, _ = srv.accept()
    got = 0
    while True:
        data = conn.recv(1 << 20)
        if not data:
            break
        got += len(data)
    conn.close()
    srv.close()
    print("received", got, flush=True)


def send(addr, port, total):
    conn = socket.create_connection((addr, port), timeout=60)
    print("connected", flush=True)
    if not sys.stdin.readline():
        sys.exit("no go on stdin")
    block = b"\x5a" * 65536
    sent = 0
    while sent < total:
        sent += conn.send(block[: min(len(block), total - sent)])
    conn.shutdown(socket.SHUT_WR)
    while conn.recv(65536):
        pass
    print("sent", sent, flush=True)
    sys.stdin.read()
    conn.close()


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "recv":
        recv(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 5 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
