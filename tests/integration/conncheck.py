#!/usr/bin/python3
"""The connection query against a running daemon (connections.sh).

conncheck.py SOCKET MODE      the checks; MODE is calls, wire, or peers (wire
                              with --udp-peers=1)
conncheck.py many SOCKET N    N TCP connections (2N sockets) in one process,
                              the query timed; prints "query_ms=... sockets=..."
conncheck.py worker           the process under test (driven over stdin)

A worker holds TCP connections over IPv4 and IPv6 and UDP sockets, one of
them unconnected with two peers, after an exact exchange.  Every socket
must be listed once; counting calls, with the counters that exchange
makes; in either mode, its connections add up to the process's totals,
and a connection closed between two queries is in the second, marked,
and not in the third.
"""
import json
import os
import resource
import socket
import struct
import subprocess
import sys
import threading
import time

REQ = struct.Struct("=8sIi")
HEAD = struct.Struct("=8sII")
ENTRY = struct.Struct("=iBBBBHHI16s16s16sQQQQ")
TASK = struct.Struct("=i4xQ16s8Q")
CLOSED = 1
PEER = 2
OTHERS = 4


def recv_full(s, n):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = s.recv_into(view[got:], n - got)
        if not k:
            raise EOFError("the daemon closed the connection")
        got += k
    return bytes(buf)


class ConnClient:
    """One client of the connection socket, kept: it sees each close once."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(10)
        # beside the socket the daemon binds: where the path's link leads (connproto.h)
        self.s.connect(os.path.realpath(path) + ".conn")

    def raw(self, pid=0):
        """The reply's entries as bytes, and their count."""
        self.s.sendall(REQ.pack(b"NTCONN1\0", 1, pid))
        magic, status, count = HEAD.unpack(recv_full(self.s, HEAD.size))
        if magic != b"NTCONN1\0" or status != 0:
            raise RuntimeError("bad reply: magic %r status %d" % (magic, status))
        return recv_full(self.s, count * ENTRY.size), count

    def query(self, pid=0):
        data, count = self.raw(pid)
        out = []
        for i in range(count):
            f = ENTRY.unpack_from(data, i * ENTRY.size)
            out.append({"pid": f[0], "proto": f[1], "family": f[2], "state": f[3],
                        "closed": bool(f[4] & CLOSED), "peer": bool(f[4] & PEER),
                        "others": bool(f[4] & OTHERS), "lport": f[5], "rport": f[6],
                        "sndpacks": f[11], "sndbytes": f[12], "rcvpacks": f[13],
                        "rcvbytes": f[14]})
        return out


def totals(path, pid):
    """The process's counters, as atop asks for them."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    s.sendall(bytes(TASK.size))
    found = None
    while True:
        f = TASK.unpack(recv_full(s, TASK.size))
        if f[0] == 0:
            break
        if f[0] == pid:
            found = f[3:]
    s.close()
    return found


def sums(entries):
    t = [0] * 8
    for e in entries:
        base = 0 if e["proto"] == 6 else 4
        for i, k in enumerate(("sndpacks", "sndbytes", "rcvpacks", "rcvbytes")):
            t[base + i] += e[k]
    return tuple(t)


# ---------------------------------------------------------------- the worker

def lockstep(a, b, rounds, asize, bsize):
    for _ in range(rounds):
        a.send(b"a" * asize)
        assert len(b.recv(65536)) == asize
        b.send(b"b" * bsize)
        assert len(a.recv(65536)) == bsize


def tcp_pair(family, host):
    lst = socket.socket(family, socket.SOCK_STREAM)
    lst.bind((host, 0))
    lst.listen(16)
    c = socket.create_connection((host, lst.getsockname()[1]))
    a, _ = lst.accept()
    return lst, c, a


def worker():
    keep = {}
    for line in sys.stdin:
        cmd = line.split()
        if cmd[0] == "setup":
            l4, c4, a4 = tcp_pair(socket.AF_INET, "127.0.0.1")
            l6, c6, a6 = tcp_pair(socket.AF_INET6, "::1")
            lockstep(c4, a4, 10, 100, 50)
            lockstep(c6, a6, 7, 300, 30)
            u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            p1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            p2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            p1.bind(("127.0.0.1", 0))
            p2.bind(("127.0.0.1", 0))
            for _ in range(5):
                u4.sendto(b"x" * 64, p1.getsockname())
                assert len(p1.recv(65536)) == 64
            for _ in range(3):
                u4.sendto(b"y" * 128, p2.getsockname())
                assert len(p2.recv(65536)) == 128
            p3 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            p3.bind(("::1", 0))
            u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            u6.connect(p3.getsockname()[:2])
            for _ in range(4):
                u6.send(b"z" * 200)
                assert len(p3.recv(65536)) == 200
            keep.update(l4=l4, c4=c4, a4=a4, l6=l6, c6=c6, a6=a6, u4=u4, p1=p1, p2=p2,
                        p3=p3, u6=u6)
            port = lambda s: s.getsockname()[1]
            peer = lambda s: s.getpeername()[1]
            # (proto, local port, remote port): calls-mode counters
            expect = [
                (6, port(c4), peer(c4), [10, 1000, 10, 500]),
                (6, port(a4), peer(a4), [10, 500, 10, 1000]),
                (6, port(c6), peer(c6), [7, 2100, 7, 210]),
                (6, port(a6), peer(a6), [7, 210, 7, 2100]),
                (6, port(l4), 0, [0, 0, 0, 0]),
                (6, port(l6), 0, [0, 0, 0, 0]),
                (17, port(u4), 0, [8, 704, 0, 0]),
                (17, port(p1), 0, [0, 0, 5, 320]),
                (17, port(p2), 0, [0, 0, 3, 384]),
                (17, port(u6), port(p3), [4, 800, 0, 0]),
                (17, port(p3), 0, [0, 0, 4, 800]),
            ]
            # with one peer shown: u4's is p2 (3 x 156 wire bytes beat 5 x 92),
            # and the others are one line; each receiver has its one peer
            peers = {port(u4): [port(p2), 1], port(p1): [port(u4), 0],
                     port(p2): [port(u4), 0], port(p3): [port(u6), 0]}
            print(json.dumps({"pid": os.getpid(), "expect": expect, "peers": peers,
                              "closing": [[port(c4), peer(c4)], [port(a4), peer(a4)]]}),
                  flush=True)
        elif cmd[0] == "flow":
            # c4 sends 10 KB/s to a4; a6 sends 1 KB/s to c6: distinct send and receive orders
            stop = threading.Event()

            def flow(c4=keep["c4"], a4=keep["a4"], c6=keep["c6"], a6=keep["a6"]):
                while not stop.wait(0.01):
                    c4.send(b"f" * 100)
                    a4.recv(65536)
                    a6.send(b"g" * 10)
                    c6.recv(65536)

            t = threading.Thread(target=flow)
            t.start()
            keep["flow"] = (stop, t)
            print("flowing", flush=True)
        elif cmd[0] == "close":
            if "flow" in keep:
                stop, t = keep.pop("flow")
                stop.set()
                t.join()
            keep.pop("c4").close()
            keep.pop("a4").close()
            print("closed", flush=True)
        elif cmd[0] == "many":
            # the accepting ends in a child: one process holds only n descriptors
            n = int(cmd[1])
            lst = socket.socket()
            lst.bind(("127.0.0.1", 0))
            lst.listen(4096)
            addr = lst.getsockname()
            r, wr = os.pipe()
            child = os.fork()
            if child == 0:
                os.close(wr)
                held = [lst.accept()[0] for _ in range(n)]
                for a in held:
                    a.recv(16)
                os.read(r, 1)
                os._exit(0)
            os.close(r)
            lst.close()
            held = []
            for _ in range(n):
                c = socket.create_connection(addr)
                c.send(b"1")
                held.append(c)
            keep["many"] = (held, wr, child)
            print("many %d" % len(held), flush=True)
        elif cmd[0] == "exit":
            return


# ---------------------------------------------------------------- the checks

failed = 0


def check(ok, what):
    global failed
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        failed += 1


def settled(cc, path, pid):
    """Connections and totals once no packet is in flight (delayed ACKs, in wire mode)."""
    last = None
    for _ in range(50):
        conns = cc.query(pid)
        tot = totals(path, pid)
        again = totals(path, pid)
        if tot == again and (last is None or tot == last):
            return conns, tot
        last = tot
        time.sleep(0.1)
    return conns, tot


def find(conns, proto, lport, rport):
    return [e for e in conns if e["proto"] == proto and e["lport"] == lport and e["rport"] == rport]


def main(path, mode):
    w = subprocess.Popen([sys.executable, __file__, "worker"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    w.stdin.write("setup\n")
    w.stdin.flush()
    info = json.loads(w.stdout.readline())
    pid = info["pid"]
    time.sleep(0.5)
    cc = ConnClient(path)
    conns, tot = settled(cc, path, pid)
    print("worker %d: %d connections, totals %s" % (pid, len(conns), tot))
    for e in sorted(conns, key=lambda e: (e["proto"], e["lport"])):
        print("  %s" % e)
    peers = info["peers"]
    lines = 0
    for proto, lport, rport, want in info["expect"]:
        what = "%s %d -> %d" % ("tcp" if proto == 6 else "udp", lport, rport)
        if mode == "peers" and str(lport) in peers:
            # an unconnected UDP socket: its most active peer, then the others summed
            top, rest = peers[str(lport)]
            got = [e for e in conns if e["proto"] == 17 and e["lport"] == lport]
            one = [e for e in got if e["peer"]]
            others = [e for e in got if e["others"]]
            check(len(one) == 1 and one[0]["rport"] == top,
                  "%s: one peer line, its most active peer %d (%s)"
                  % (what, top, [e["rport"] for e in one]))
            check(len(others) == rest, "%s: %d line of other peers (%d)" % (what, rest, len(others)))
            check(len(got) == 1 + rest, "%s: nothing else (%d lines)" % (what, len(got)))
            lines += len(got)
            continue
        got = find(conns, proto, lport, rport)
        check(len(got) == 1, "%s listed once (%d)" % (what, len(got)))
        lines += len(got)
        if len(got) == 1 and mode == "calls":
            g = [got[0][k] for k in ("sndpacks", "sndbytes", "rcvpacks", "rcvbytes")]
            check(g == want, "%s: counters %s, expected %s" % (what, g, want))
    check(len(conns) == lines, "no other connection (%d)" % len(conns))
    check(sums(conns) == tot, "connections add up to the process's totals: %s = %s"
          % (sums(conns), tot))
    check(all(not e["closed"] for e in conns), "none closed yet")

    w.stdin.write("close\n")
    w.stdin.flush()
    w.stdout.readline()
    time.sleep(0.5)
    conns2, tot2 = settled(cc, path, pid)
    closed = [e for e in conns2 if e["closed"]]
    check(len(closed) == 2, "the closed connection's two ends are in the next reply (%d)"
          % len(closed))
    for lport, rport in info["closing"]:
        got = [e for e in closed if e["lport"] == lport and e["rport"] == rport]
        check(len(got) == 1, "closed tcp %d -> %d marked once" % (lport, rport))
    check(sums(conns2) == tot2, "open and closed add up to the totals: %s = %s"
          % (sums(conns2), tot2))
    conns3 = cc.query(pid)
    check(not any(e["closed"] for e in conns3), "and not in the reply after (%d closed)"
          % sum(e["closed"] for e in conns3))
    check(len(conns3) == len(conns) - 2, "the other connections stay (%d)" % len(conns3))
    # another client: closed in the last minute, seen once by it as well
    other = ConnClient(path)
    check(len([e for e in other.query(pid) if e["closed"]]) == 2, "a new client sees the closes too")
    check(not any(e["closed"] for e in other.query(pid)), "once")

    w.stdin.write("exit\n")
    w.stdin.flush()
    w.wait()
    print("%d failed" % failed)
    return 1 if failed else 0


def many(path, n):
    w = subprocess.Popen([sys.executable, __file__, "worker"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    w.stdin.write("many %d\n" % n)
    w.stdin.flush()
    held = int(w.stdout.readline().split()[1])
    time.sleep(0.5)
    cc = ConnClient(path)
    times = []
    count = 0
    # from the request to the reply's last byte; decoding it is Python's cost, not the daemon's
    for _ in range(7):
        t0 = time.monotonic()
        _, count = cc.raw(w.pid)
        times.append((time.monotonic() - t0) * 1000)
    times.sort()
    # the best of 7 is the query's own cost; the median and the worst add
    # what the other work of a shared machine makes it wait
    print("sockets=%d listed=%d query_ms=%.1f (best of 7; median %.1f, worst %.1f)"
          % (held, count, times[0], times[3], times[-1]), flush=True)
    # the caller measures the daemon's memory while the sockets are held
    sys.stdin.readline()
    w.stdin.write("exit\n")
    w.stdin.flush()
    w.wait()
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        worker()
    elif sys.argv[1] == "many":
        sys.exit(many(sys.argv[2], int(sys.argv[3])))
    else:
        sys.exit(main(sys.argv[1], sys.argv[2]))
