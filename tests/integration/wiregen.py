#!/usr/bin/env python3
"""Traffic for tests/integration/wire.sh, and the measurement of one run.

Roles (each a process of its own, run in a network namespace with
`ip netns exec`; each prints JSON lines on stdout, the first with its
pid, and the last {"done": ...} with what it moved):

  tcp-server, tcp-client   request/response of 50 bytes, or bulk one way
  udp-recv, udp-send       datagrams of given sizes, IPv4 or IPv6
  udp-echo                 sends every datagram back
  fork-udp, fork-tcp       use a socket, fork, the child goes on with it
  fd-creator, fd-holder    a UDP socket handed over SCM_RIGHTS, then the
                           creator exits

`measure` drives one run (an interface, its offloads): it runs every
workload with known processes, reads the interface's counters (and its
qdisc's) and netatop's (--list --json: the processes, and the
unattributed total from the pid file) before and after, appends the
rows to the table file and prints ok:/FAIL: lines like daemon.sh.
"""
import argparse
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time

RR_SIZE = 50
SO_RCVBUFFORCE = 33     # Linux; the socket module does not name it


def emit(**kw):
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def family_of(v):
    return socket.AF_INET6 if v == 6 else socket.AF_INET


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        b = s.recv(n - len(buf))
        if not b:
            return buf
        buf += b
    return buf


def big_rcvbuf(s):
    # root: past rmem_max, so a burst of 20000-byte datagrams is not dropped
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)


def rr_loop(s, count):
    msg = b"q" * RR_SIZE
    for _ in range(count):
        s.sendall(msg)
        if len(recv_exact(s, RR_SIZE)) != RR_SIZE:
            raise SystemExit("tcp: the server closed early")


# ---------------------------------------------------------------- roles

def role_tcp_server(a):
    ls = socket.socket(family_of(a.family), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.addr, a.port))
    ls.listen(4)
    emit(pid=os.getpid(), ready=True)
    c, _ = ls.accept()
    ls.close()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    got = 0
    if a.mode == "rr":
        # echo every message of 50 bytes until the client closes
        while True:
            m = recv_exact(c, RR_SIZE)
            got += len(m)
            if len(m) < RR_SIZE:
                break
            c.sendall(m)
    else:
        while True:
            b = c.recv(1 << 20)
            if not b:
                break
            got += len(b)
    if a.close_delay:
        # the client's FIN is ACKed at once: the client's socket, closed,
        # goes to time-wait in FIN-WAIT-2, and our FIN reaches that
        time.sleep(a.close_delay / 1000)
    c.close()
    emit(done=True, received=got)


def role_tcp_client(a):
    s = socket.socket(family_of(a.family), socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.connect((a.addr, a.port))
    emit(pid=os.getpid())
    if a.mode == "rr":
        rr_loop(s, a.count)
        # a plain close, like most clients: the server reads the end and closes
        s.close()
        emit(done=True, sent=a.count * RR_SIZE)
        return
    chunk = b"b" * (1 << 16)
    left = a.bytes
    while left > 0:
        n = s.send(chunk[:min(left, len(chunk))])
        left -= n
    # wait for the receiver to have read it all: the owner is alive for
    # every packet, so sender and receiver must agree to the packet
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    s.close()
    emit(done=True, sent=a.bytes)


def role_udp_recv(a):
    s = socket.socket(family_of(a.family), socket.SOCK_DGRAM)
    big_rcvbuf(s)
    s.bind((a.addr, a.port))
    emit(pid=os.getpid(), ready=True)
    sizes = {}
    n = 0
    s.settimeout(5)
    try:
        while n < a.count:
            d = s.recv(65536)
            sizes[len(d)] = sizes.get(len(d), 0) + 1
            n += 1
    except socket.timeout:
        pass
    s.close()
    emit(done=True, received=sizes)


def role_udp_echo(a):
    s = socket.socket(family_of(a.family), socket.SOCK_DGRAM)
    big_rcvbuf(s)
    s.bind((a.addr, a.port))
    emit(pid=os.getpid(), ready=True)
    s.settimeout(5)
    n = 0
    try:
        while n < a.count:
            d, peer = s.recvfrom(65536)
            s.sendto(d, peer)
            n += 1
    except socket.timeout:
        pass
    s.close()
    emit(done=True, echoed=n)


def send_datagrams(s, sizes, count, dest=None):
    sent = {}
    for size in sizes:
        d = b"u" * size
        for _ in range(count):
            if dest:
                s.sendto(d, dest)
            else:
                s.send(d)
            sent[size] = sent.get(size, 0) + 1
            # veth's ring and the backlog take bursts, not floods
            time.sleep(0.001)
    return sent


def role_udp_send(a):
    s = socket.socket(family_of(a.family), socket.SOCK_DGRAM)
    sizes = [int(x) for x in a.sizes.split(",")]
    emit(pid=os.getpid())
    sent = send_datagrams(s, sizes, a.count, (a.addr, a.port))
    s.close()
    emit(done=True, sent=sent)


def echo_rounds(s, size, count):
    d = b"f" * size
    for _ in range(count):
        s.send(d)
        s.settimeout(5)
        if len(s.recv(65536)) != size:
            raise SystemExit("udp echo: wrong size back")


def role_fork_udp(a):
    """Echo rounds by the parent, then by a child on the same socket."""
    s = socket.socket(family_of(a.family), socket.SOCK_DGRAM)
    s.connect((a.addr, a.port))
    echo_rounds(s, a.size, a.before)
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(r)
        echo_rounds(s, a.size, a.after)
        os.write(w, b"x")
        os._exit(0)
    os.close(w)
    os.read(r, 1)
    os.waitpid(child, 0)
    s.close()
    emit(pid=os.getpid(), child=child, done=True)


def role_fork_tcp(a):
    """Connect, fork: the child alone makes the round trips and closes."""
    s = socket.socket(family_of(a.family), socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.connect((a.addr, a.port))
    child = os.fork()
    if child == 0:
        rr_loop(s, a.count)
        s.close()
        os._exit(0)
    s.close()
    os.waitpid(child, 0)
    emit(pid=os.getpid(), child=child, done=True)


def role_fd_creator(a):
    """Bind a UDP socket (bind claims it), hand it to the holder, exit."""
    s = socket.socket(family_of(a.family), socket.SOCK_DGRAM)
    big_rcvbuf(s)
    s.bind((a.addr, a.port))
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.connect(a.path)
    u.sendmsg([b"f"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("i", s.fileno()))])
    u.close()
    s.close()
    emit(pid=os.getpid(), done=True)


def role_fd_holder(a):
    """Receive the socket, then receive from it when told: "recv N"."""
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(a.path)
    ls.listen(1)
    emit(pid=os.getpid(), ready=True)
    c, _ = ls.accept()
    _, anc, _, _ = c.recvmsg(1, socket.CMSG_SPACE(4))
    fd = struct.unpack("i", anc[0][2][:4])[0]
    c.close()
    ls.close()
    s = socket.socket(fileno=fd)
    s.settimeout(5)
    emit(holding=True)
    for line in sys.stdin:
        words = line.split()
        if words[0] == "recv":
            n = 0
            try:
                for _ in range(int(words[1])):
                    s.recv(65536)
                    n += 1
            except socket.timeout:
                pass
            emit(received=n)
        elif words[0] == "exit":
            break
    s.close()
    emit(done=True)


# ---------------------------------------------------------------- measurement

class Topo:
    """Where a run's traffic goes: lo of one namespace, or a veth pair.

    Side 0 is the clients' (namespace a), side 1 the servers' (b); lo has
    one side.  A process sleeping in each namespace lets us read its
    counters from /proc/PID/net without starting a program each time.
    """

    def __init__(self, a):
        self.name = a.iface
        self.offloads = a.offloads
        self.sides = [(a.ns_a, a.dev_a)]
        if a.ns_b != a.ns_a or a.dev_b != a.dev_a:
            self.sides.append((a.ns_b, a.dev_b))
        self.ns_client, self.ns_server = a.ns_a, a.ns_b
        self.addr4, self.addr6 = a.addr4, a.addr6
        self.l2, self.mtu = a.l2, a.mtu
        self.sentinels = [subprocess.Popen(["ip", "netns", "exec", ns, "sleep", "600"])
                          for ns, _ in self.sides]
        # ip enters the namespace, then becomes sleep
        for p in self.sentinels:
            for _ in range(100):
                with open("/proc/%d/comm" % p.pid) as f:
                    if f.read().strip() == "sleep":
                        break
                time.sleep(0.02)

    def close(self):
        for p in self.sentinels:
            p.kill()
            p.wait()

    def addr(self, fam):
        return self.addr6 if fam == 6 else self.addr4


def run_json(cmd):
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def dev_counters(pid, dev):
    """[rx packets, rx bytes, tx packets, tx bytes] of dev in pid's namespace."""
    with open("/proc/%d/net/dev" % pid) as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name.strip() == dev:
                v = [int(x) for x in rest.split()]
                return [v[1], v[0], v[9], v[8]]
    raise SystemExit("no device %s in the namespace of pid %d" % (dev, pid))


def tcp_outsegs(pid):
    """The namespace's own count of TCP segments sent: OutSegs, which
    leaves out retransmissions, and RetransSegs."""
    with open("/proc/%d/net/snmp" % pid) as f:
        rows = [line.split() for line in f if line.startswith("Tcp:")]
    return int(rows[1][rows[0].index("OutSegs")]) + int(rows[1][rows[0].index("RetransSegs")])


def iface_counters(topo, qdisc=False):
    """Per side: the interface's rx and tx, its root qdisc's (egress), TCP's OutSegs."""
    sides = []
    for (ns, dev), sentinel in zip(topo.sides, topo.sentinels):
        c = dev_counters(sentinel.pid, dev)
        c = {"rx": c[0:2], "tx": c[2:4], "q": [0, 0]}
        if qdisc:
            c["outsegs"] = tcp_outsegs(sentinel.pid)
            for q in run_json(["tc", "-n", ns, "-s", "-j", "qdisc", "show", "dev", dev]):
                if q.get("root"):
                    c["q"] = [q["packets"], q["bytes"]]
        sides.append(c)
    return sides


def wait_quiet(topo, settle=0.3, limit=10.0):
    """Wait until the interfaces carry nothing for `settle` seconds."""
    end = time.monotonic() + limit
    last = iface_counters(topo)
    still = time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.05)
        now = iface_counters(topo)
        if now != last:
            last, still = now, time.monotonic()
        elif time.monotonic() - still >= settle:
            break
    return iface_counters(topo, qdisc=True)


FIELDS = ["tcpsndpacks", "tcpsndbytes", "tcprcvpacks", "tcprcvbytes",
          "udpsndpacks", "udpsndbytes", "udprcvpacks", "udprcvbytes"]


class Netatop:
    def __init__(self, a):
        self.cmd = [a.netatop, "--list", "--json", "--socket", a.socket, "--pidfile", a.pidfile]

    def snapshot(self):
        out = subprocess.run(self.cmd, check=True, capture_output=True, text=True).stdout
        procs, unatt = {}, None
        for line in out.splitlines():
            r = json.loads(line)
            if r.get("unattributed"):
                unatt = [r[f] for f in FIELDS]
            else:
                v = [r[f] for f in FIELDS]
                # a pid reused within the exited records' lifetime: add up
                old = procs.get(r["pid"])
                procs[r["pid"]] = [x + y for x, y in zip(old, v)] if old else v
        if unatt is None:
            # counting calls (WIRE_COUNT=calls): nothing is unattributed
            unatt = zero()
        return procs, unatt


def zero():
    return [0] * 8


def sub(a, b):
    return [x - y for x, y in zip(a, b)]


def add(a, b):
    return [x + y for x, y in zip(a, b)]


class Proc:
    """A role run in a namespace."""

    def __init__(self, args, ns, stdin=False):
        self.cmd = ["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__)] + \
            [str(x) for x in args]
        self.p = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, text=True,
                                  stdin=subprocess.PIPE if stdin else subprocess.DEVNULL)
        self.msgs = []
        self.pid = None
        first = self.read()
        self.pid = first.get("pid")

    def read(self, timeout=30):
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        line = self.p.stdout.readline() if r else ""
        if not line:
            raise SystemExit("%s: no answer (exit status %s)" % (" ".join(self.cmd), self.p.poll()))
        m = json.loads(line)
        self.msgs.append(m)
        return m

    def tell(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def finish(self, timeout=60):
        out, _ = self.p.communicate(timeout=timeout)
        for line in out.splitlines():
            self.msgs.append(json.loads(line))
        if self.p.returncode != 0:
            raise SystemExit("%s: exit status %d" % (" ".join(self.cmd), self.p.returncode))
        return self.msgs[-1]


class Checker:
    def __init__(self, label):
        self.label = label
        self.failed = 0
        self.passed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
            print("ok: %s: %s" % (self.label, what))
        else:
            self.failed += 1
            print("FAIL: %s: %s" % (self.label, what))
        return cond


def udp_wire(payload, fam, mtu, l2):
    """Packets and bytes one UDP datagram is on the wire: its IP fragments."""
    iph = 40 if fam == 6 else 20
    data = payload + 8
    if data + iph <= mtu:
        return 1, data + iph + l2
    fh = iph + 8 if fam == 6 else iph     # IPv6: a fragment header each
    step = (mtu - fh) & ~7                # fragment data: multiples of 8
    n = (data + step - 1) // step
    return n, data + n * (fh + l2)


def udp_expect(sizes, fam, topo):
    pk = by = 0
    for size, n in sizes.items():
        p, b = udp_wire(int(size), fam, topo.mtu, topo.l2)
        pk += n * p
        by += n * b
    return pk, by


PORT = [20000]


def port():
    PORT[0] += 1
    return PORT[0]


# Each workload returns {"procs": {name: pid}, ...facts for its checks}.

def wl_tcp_rr(topo, fam=4, count=2000):
    p = port()
    srv = Proc(["tcp-server", "--family", fam, "--addr", topo.addr(fam), "--port", p, "--mode", "rr"],
               topo.ns_server)
    cli = Proc(["tcp-client", "--family", fam, "--addr", topo.addr(fam), "--port", p, "--mode", "rr",
                "--count", count], topo.ns_client)
    cli.finish()
    srv.finish()
    return {"procs": {"client": cli.pid, "server": srv.pid}, "servers": ["server"], "count": count}


def wl_tcp_late_fin(topo, fam=4, count=10, delay_ms=300):
    """The client closes and exits; the server closes 300 ms later."""
    p = port()
    srv = Proc(["tcp-server", "--family", fam, "--addr", topo.addr(fam), "--port", p, "--mode", "rr",
                "--close-delay", delay_ms], topo.ns_server)
    cli = Proc(["tcp-client", "--family", fam, "--addr", topo.addr(fam), "--port", p, "--mode", "rr",
                "--count", count], topo.ns_client)
    cli.finish()
    srv.finish()
    return {"procs": {"client": cli.pid, "server": srv.pid}, "servers": ["server"], "count": count}


def wl_tcp_bulk(topo, fam=4, nbytes=20 << 20):
    p = port()
    srv = Proc(["tcp-server", "--family", fam, "--addr", topo.addr(fam), "--port", p, "--mode", "bulk"],
               topo.ns_server)
    cli = Proc(["tcp-client", "--family", fam, "--addr", topo.addr(fam), "--port", p, "--mode", "bulk",
                "--bytes", nbytes], topo.ns_client)
    cli.finish()
    got = srv.finish()["received"]
    return {"procs": {"sender": cli.pid, "receiver": srv.pid}, "servers": ["receiver"],
            "bytes": nbytes, "received": got}


UDP_SIZES = [100, 1400, 4000, 20000]
UDP_COUNT = 20


def wl_udp(topo, fam):
    p = port()
    rcv = Proc(["udp-recv", "--family", fam, "--addr", topo.addr(fam), "--port", p,
                "--count", UDP_COUNT * len(UDP_SIZES)], topo.ns_server)
    snd = Proc(["udp-send", "--family", fam, "--addr", topo.addr(fam), "--port", p,
                "--sizes", ",".join(map(str, UDP_SIZES)), "--count", UDP_COUNT], topo.ns_client)
    sent = snd.finish()["sent"]
    got = rcv.finish()["received"]
    return {"procs": {"sender": snd.pid, "receiver": rcv.pid}, "servers": ["receiver"],
            "fam": fam, "sent": sent, "received": got}


def wl_fork_udp(topo, fam=4, size=1000, before=5, after=7):
    p = port()
    echo = Proc(["udp-echo", "--family", fam, "--addr", topo.addr(fam), "--port", p,
                 "--count", before + after], topo.ns_server)
    f = Proc(["fork-udp", "--family", fam, "--addr", topo.addr(fam), "--port", p, "--size", size,
              "--before", before, "--after", after], topo.ns_client)
    child = f.msgs[0]["child"]
    f.finish()
    echo.finish()
    return {"procs": {"parent": f.pid, "child": child, "echo": echo.pid}, "servers": ["echo"],
            "fam": fam, "size": size, "before": before, "after": after}


def wl_fork_tcp(topo, fam=4, count=200):
    p = port()
    srv = Proc(["tcp-server", "--family", fam, "--addr", topo.addr(fam), "--port", p, "--mode", "rr"],
               topo.ns_server)
    f = Proc(["fork-tcp", "--family", fam, "--addr", topo.addr(fam), "--port", p, "--count", count],
             topo.ns_client)
    child = f.msgs[0]["child"]
    f.finish()
    srv.finish()
    return {"procs": {"parent": f.pid, "child": child, "server": srv.pid}, "servers": ["server"],
            "count": count}


def wl_fd_pass(topo, nt, fam=4, size=1000, orphaned=6, held=4):
    """Traffic to a socket whose owner exited: unattributed, until the holder uses it."""
    p = port()
    path = "/tmp/ntw-fdpass-%d-%d" % (os.getpid(), p)
    holder = Proc(["fd-holder", "--path", path], topo.ns_server, stdin=True)
    creator = Proc(["fd-creator", "--family", fam, "--addr", topo.addr(fam), "--port", p,
                    "--path", path], topo.ns_server)
    creator.finish()
    holder.read()             # {"holding": true}: the creator has exited
    os.unlink(path)
    _, u0 = nt.snapshot()
    snd1 = Proc(["udp-send", "--family", fam, "--addr", topo.addr(fam), "--port", p,
                 "--sizes", size, "--count", orphaned], topo.ns_client)
    snd1.finish()
    wait_quiet(topo)
    procs1, u1 = nt.snapshot()
    holder.tell("recv %d" % orphaned)
    first = holder.read()["received"]
    snd2 = Proc(["udp-send", "--family", fam, "--addr", topo.addr(fam), "--port", p,
                 "--sizes", size, "--count", held], topo.ns_client)
    snd2.finish()
    holder.tell("recv %d" % held)
    second = holder.read()["received"]
    holder.tell("exit")
    holder.finish()
    return {"procs": {"creator": creator.pid, "holder": holder.pid, "sender1": snd1.pid,
                      "sender2": snd2.pid},
            "servers": ["creator", "holder"], "fam": fam, "size": size, "orphaned": orphaned, "held": held,
            "first": first, "second": second,
            "phase1_unatt": sub(u1, u0), "phase1_procs": procs1}


def per_process_checks(ck, name, w, pc, ua, topo):
    """What each process's own counters must be."""
    P = {k: pc.get(pid, zero()) for k, pid in w["procs"].items()}
    # TCP slack: what the unattributed total took of the workload's TCP
    sl_pk, sl_by = ua[0] + ua[2], ua[1] + ua[3]

    def agree(a, b, what):
        ck.check(abs(a[0] - b[0]) <= sl_pk and abs(a[1] - b[1]) <= sl_by,
                 "%s: %s %d pk %d B, %s %d pk %d B (unattributed slack %d pk %d B)" %
                 (name, what[0], a[0], a[1], what[1], b[0], b[1], sl_pk, sl_by))

    if name.startswith("tcp-rr"):
        c, s = P["client"], P["server"]
        agree(c[0:2], s[2:4], ("client sent", "server received"))
        agree(s[0:2], c[2:4], ("server sent", "client received"))
        n = w["count"]
        ck.check(n <= c[0] <= n + 10 and n <= s[0] <= n + 10,
                 "%s: %d requests and responses: client sent %d pk, server %d pk" % (name, n, c[0], s[0]))
    elif name.startswith("tcp-bulk"):
        snd, rcv = P["sender"], P["receiver"]
        ck.check(w["received"] == w["bytes"], "%s: receiver read %d of %d B" % (name, w["received"], w["bytes"]))
        agree(snd[0:2], rcv[2:4], ("sender sent", "receiver received"))
        agree(rcv[0:2], snd[2:4], ("receiver sent", "sender received"))
        ck.check(snd[1] >= w["bytes"], "%s: sender sent %d B on the wire for %d B of data" %
                 (name, snd[1], w["bytes"]))
        # Its ACKs are its own sent packets.  How many there are is the
        # kernel's choice: one per two full segments only when every
        # segment is taken in alone; GRO, and segments coalesced in the
        # socket's backlog while the reader holds it (TCPBacklogCoalesce),
        # make one ACK answer many.  Here they are checked against what
        # the interfaces and TCP's own OutSegs counted (see sides).
        segs = snd[0]
        ck.check(rcv[0] > 0, "%s: the receiver is credited with its ACKs: %d packets for %d segments "
                 "(one per %.1f)" % (name, rcv[0], segs, segs / max(rcv[0], 1)))
    elif name.startswith("udp"):
        fam = w["fam"]
        es = udp_expect(w["sent"], fam, topo)
        er = udp_expect(w["received"], fam, topo)
        snd, rcv = P["sender"], P["receiver"]
        ck.check(sum(w["received"].values()) == sum(w["sent"].values()),
                 "%s: %d datagrams sent, %d received" % (name, sum(w["sent"].values()),
                                                         sum(w["received"].values())))
        ck.check(snd[4:6] == list(es) and snd[0:4] == [0] * 4 and snd[6:8] == [0, 0],
                 "%s: sender %d pk %d B, computed %d pk %d B (%s)" %
                 (name, snd[4], snd[5], es[0], es[1], sizes_text(w["sent"], fam, topo)))
        ck.check(rcv[6:8] == list(er) and rcv[0:6] == [0] * 6,
                 "%s: receiver %d pk %d B, computed %d pk %d B" % (name, rcv[6], rcv[7], er[0], er[1]))
    elif name.startswith("fork-udp"):
        fam = w["fam"]
        pk, by = udp_wire(w["size"], fam, topo.mtu, topo.l2)
        b, a = w["before"], w["after"]
        for who, n in (("parent", b), ("child", a), ("echo", a + b)):
            want = [0, 0, 0, 0, n * pk, n * by, n * pk, n * by]
            ck.check(P[who] == want, "%s: %s pid %d: udp %d/%d pk %d/%d B out/in, want %d pk %d B each way" %
                     (name, who, w["procs"][who], P[who][4], P[who][6], P[who][5], P[who][7], n * pk, n * by))
    elif name.startswith("fork-tcp"):
        par, ch, srv = P["parent"], P["child"], P["server"]
        n = w["count"]
        # the parent connected: its handshake (SYN out; SYN-ACK in, ACK out)
        ck.check(1 <= par[0] <= 2 and par[2] <= 1 and par[4:8] == [0] * 4,
                 "%s: parent pid %d has its handshake only: %d pk out, %d in" %
                 (name, w["procs"]["parent"], par[0], par[2]))
        ck.check(n <= ch[0] <= n + 5 and n <= ch[2] <= n + 5,
                 "%s: child pid %d, which made the %d round trips: %d pk out, %d in" %
                 (name, w["procs"]["child"], n, ch[0], ch[2]))
        agree(add(par, ch)[0:2], srv[2:4], ("parent+child sent", "server received"))
        agree(srv[0:2], add(par, ch)[2:4], ("server sent", "parent+child received"))
    elif name.startswith("fd-pass"):
        fam = w["fam"]
        pk, by = udp_wire(w["size"], fam, topo.mtu, topo.l2)
        o, h = w["orphaned"], w["held"]
        u1 = w["phase1_unatt"]
        p1 = w["phase1_procs"]
        ck.check(w["first"] == o and w["second"] == h,
                 "%s: the holder read %d and %d datagrams, sent %d and %d" % (name, w["first"], w["second"], o, h))
        ck.check(u1[6:8] == [o * pk, o * by],
                 "%s: %d datagrams to the socket of exited pid %d: unattributed rcv +%d pk +%d B, want %d pk %d B" %
                 (name, o, w["procs"]["creator"], u1[6], u1[7], o * pk, o * by))
        hold1 = p1.get(w["procs"]["holder"], zero())
        cre1 = p1.get(w["procs"]["creator"], zero())
        ck.check(hold1 == zero() and cre1 == zero(),
                 "%s: meanwhile neither the creator nor the holder was credited: %s, %s" % (name, cre1, hold1))
        # no process at all got them: nobody else's udp rcv grew by exactly that
        ck.check(P["holder"] == [0, 0, 0, 0, 0, 0, h * pk, h * by],
                 "%s: after its first recv the holder pid %d owns it: udp rcv %d pk %d B, want %d pk %d B" %
                 (name, w["procs"]["holder"], P["holder"][6], P["holder"][7], h * pk, h * by))
        ck.check(P["sender1"][4:6] == [o * pk, o * by] and P["sender2"][4:6] == [h * pk, h * by],
                 "%s: the senders: %d and %d pk" % (name, P["sender1"][4], P["sender2"][4]))


def sizes_text(sizes, fam, topo):
    parts = []
    for size, n in sorted(sizes.items(), key=lambda x: int(x[0])):
        p, b = udp_wire(int(size), fam, topo.mtu, topo.l2)
        parts.append("%dx%s B = %d frag %d B" % (n, size, p, b))
    return ", ".join(parts)


def ratio(a, b):
    return a / b if b else (1.0 if a == 0 else float("inf"))


def within(a, b, tol):
    return abs(ratio(a, b) - 1) <= tol


def row(topo, name, dirn, ifv, qv, ntv, refv, kind, ok=True):
    return "%-5s %-3s %-12s %-3s %7d %10d %7s %10s %7d %10d %6.4f %6.4f %s" % (
        topo.name, topo.offloads, name, dirn, ifv[0], ifv[1],
        qv[0] if qv else "", qv[1] if qv else "", ntv[0], ntv[1],
        ratio(ntv[0], refv[0]), ratio(ntv[1], refv[1]), kind + ("" if ok else " MISMATCH"))


def references(topo, d):
    """What netatop's figures are compared with, per side: egress and ingress.

    veth with offloads on passes GSO aggregates to its peer as they are and
    counts one packet each; the root qdisc on its egress counts the
    segments they stand for (bstats add gso_segs packets, and
    qdisc_pkt_len() each segment's headers, Ethernet's included), as a NIC
    would send them; a side's ingress is its peer's egress.  With offloads
    off the interfaces' own counters.  lo is always its own counters: with
    its 64 KiB MTU an aggregate of two segments or more is larger than
    lo's gso_max_size and is segmented before lo counts it, while its
    qdisc sees the aggregate (with the Ethernet header lo does not count,
    and for IPv6 the 8-byte jumbo header no segment has).
    """
    if topo.name == "veth" and topo.offloads == "on":
        return [(d[0]["q"], d[1]["q"]), (d[1]["q"], d[0]["q"])], "qdisc"
    return [(x["tx"], x["rx"]) for x in d], "iface"


def measure(a):
    topo = Topo(a)
    try:
        return measure_topo(a, topo)
    finally:
        topo.close()


def measure_topo(a, topo):
    nt = Netatop(a)
    label = "%s offloads %s" % (topo.name, topo.offloads)
    ck = Checker(label)
    tol = a.tolerance
    v6 = 6 if topo.name == "veth" else 4
    workloads = [
        ("tcp-rr-v4", lambda: wl_tcp_rr(topo, 4)),
        ("tcp-rr-v6", lambda: wl_tcp_rr(topo, 6)),
        ("tcp-bulk-v4", lambda: wl_tcp_bulk(topo, 4)),
        ("tcp-bulk-v6", lambda: wl_tcp_bulk(topo, 6)),
        ("udp-v4", lambda: wl_udp(topo, 4)),
        ("udp-v6", lambda: wl_udp(topo, 6)),
        ("fork-udp", lambda: wl_fork_udp(topo, v6)),
        ("fork-tcp", lambda: wl_fork_tcp(topo, 4)),
        ("fd-pass", lambda: wl_fd_pass(topo, nt, v6)),
        ("tcp-late-fin", lambda: wl_tcp_late_fin(topo, 4)),
    ]
    if a.only:
        workloads = [w for w in workloads if w[0] in a.only.split(",")]
    rows = []
    tot = {"ref": [0] * 4, "if": [0] * 4, "nt": [0] * 4, "q": [0] * 2}
    for name, fn in workloads:
        for attempt in range(1, a.attempts + 1):
            c0 = wait_quiet(topo)
            _, u0 = nt.snapshot()
            t0 = time.monotonic()
            w = fn()
            c1 = wait_quiet(topo)
            pc, u1 = nt.snapshot()
            secs = time.monotonic() - t0
            ua = sub(u1, u0)
            d = [{k: (sub(x1[k], x0[k]) if isinstance(x1[k], list) else x1[k] - x0[k]) for k in x1}
                 for x0, x1 in zip(c0, c1)]
            refs, kind = references(topo, d)
            side_of = {k: (1 if k in w["servers"] and len(d) > 1 else 0) for k in w["procs"]}
            mine = [zero() for _ in d]
            for k, pid in w["procs"].items():
                mine[side_of[k]] = add(mine[side_of[k]], pc.get(pid, zero()))
            allp = zero()
            for m in mine:
                allp = add(allp, m)
            # netatop: the workload's processes and what nobody owns
            nt_snd = [allp[0] + allp[4] + ua[0] + ua[4], allp[1] + allp[5] + ua[1] + ua[5]]
            nt_rcv = [allp[2] + allp[6] + ua[2] + ua[6], allp[3] + allp[7] + ua[3] + ua[7]]
            ref_snd = [sum(r[0][i] for r in refs) for i in (0, 1)]
            ref_rcv = [sum(r[1][i] for r in refs) for i in (0, 1)]
            if_snd = [sum(x["tx"][i] for x in d) for i in (0, 1)]
            if_rcv = [sum(x["rx"][i] for x in d) for i in (0, 1)]
            q = [sum(x["q"][i] for x in d) for i in (0, 1)]
            ok_snd = within(nt_snd[0], ref_snd[0], tol) and within(nt_snd[1], ref_snd[1], tol)
            ok_rcv = within(nt_rcv[0], ref_rcv[0], tol) and within(nt_rcv[1], ref_rcv[1], tol)
            if name == "tcp-late-fin":
                # A known gap, checked to the packet: the client's closed
                # socket is in time-wait (FIN-WAIT-2) when the server's FIN
                # comes.  The kernel takes that FIN in without running the
                # cgroup ingress programs (tcp_v4_rcv's do_time_wait calls
                # no tcp_filter()), and the ACK the time-wait socket answers
                # with leaves with skb->sk the time-wait socket, not the
                # control socket that sends it, so the egress programs do
                # not run either (BPF_CGROUP_RUN_PROG_INET_EGRESS wants
                # sk == skb->sk and a full socket).  netatop sees neither:
                # one packet each way, IPv4 + TCP with timestamps.
                gap = [1, 20 + 32 + topo.l2]
                ok_snd = sub(ref_snd, nt_snd) == gap
                ok_rcv = sub(ref_rcv, nt_rcv) == gap
            good = ok_snd and ok_rcv
            # Other processes on this host add to the unattributed total
            # (it is global): a surplus it explains is theirs, try again.
            seen = 1 if name == "tcp-late-fin" else 0
            surplus = (nt_snd[0] - ref_snd[0] + seen) + (nt_rcv[0] - ref_rcv[0] + seen)
            foreign = not good and surplus > 0 and (ua[0] + ua[2] + ua[4] + ua[6]) >= surplus
            if good or not foreign or attempt == a.attempts:
                break
            print("note: %s %s: netatop counted %d packets more than the interfaces and the "
                  "unattributed total grew by %d: other traffic on this host; again (attempt %d)" %
                  (label, name, surplus, ua[0] + ua[2] + ua[4] + ua[6], attempt + 1))
        k = kind + (" (time-wait gap: 1 pk each way)" if name == "tcp-late-fin" else "")
        rows.append(row(topo, name, "snd", if_snd, q, nt_snd, ref_snd, k, ok_snd))
        rows.append(row(topo, name, "rcv", if_rcv, q, nt_rcv, ref_rcv, k, ok_rcv))
        for key, v in (("nt", nt_snd + nt_rcv), ("ref", ref_snd + ref_rcv), ("if", if_snd + if_rcv), ("q", q)):
            tot[key] = add(tot[key], v)
        if name == "tcp-late-fin":
            ck.check(good, "%s (%.1f s): processes %s + unattributed (%s) miss exactly the time-wait "
                     "socket's FIN in and ACK out: %s counters - netatop = %s out, %s in" %
                     (name, secs, " ".join("%s=%d" % kv for kv in w["procs"].items()),
                      " ".join(str(x) for x in ua), kind, sub(ref_snd, nt_snd), sub(ref_rcv, nt_rcv)))
        else:
            ck.check(good, "%s (%.1f s): processes %s + unattributed (%s) match the %s counters within %g%%" %
                     (name, secs, " ".join("%s=%d" % kv for kv in w["procs"].items()),
                      " ".join(str(x) for x in ua), kind, tol * 100))
        # Each side's processes: all of that side's traffic but what the
        # unattributed total took (exact when it took nothing).
        # tcp-late-fin: the client's time-wait packets, seen by no program
        unseen = [1, 20 + 32 + topo.l2] if name == "tcp-late-fin" else [0, 0]
        if len(d) > 1:
            for i, side in enumerate(("client", "server")):
                snd = [mine[i][0] + mine[i][4], mine[i][1] + mine[i][5]]
                rcv = [mine[i][2] + mine[i][6], mine[i][3] + mine[i][7]]
                us = [ua[0] + ua[4], ua[1] + ua[5]]
                ur = [ua[2] + ua[6], ua[3] + ua[7]]
                if i == 0:
                    us, ur = add(us, unseen), add(ur, unseen)
                e, r = refs[i]
                ck.check(all(0 <= e[j] - snd[j] <= us[j] and 0 <= r[j] - rcv[j] <= ur[j] for j in (0, 1)),
                         "%s: %s side's processes sent %d pk %d B of %d pk %d B, received %d pk %d B of "
                         "%d pk %d B (the rest unattributed)" %
                         (name, side, snd[0], snd[1], e[0], e[1], rcv[0], rcv[1], r[0], r[1]))
        # TCP's own count of the segments it sent, the control socket's
        # resets and time-wait ACKs included
        outsegs = sum(x["outsegs"] for x in d)
        ck.check(allp[0] <= outsegs - unseen[0] <= allp[0] + ua[0],
                 "%s: TCP OutSegs+RetransSegs %d: processes %d + unattributed %d" %
                 (name, outsegs, allp[0], ua[0]))
        per_process_checks(ck, name, w, pc, ua, topo)
    rows.append(row(topo, "(run total)", "snd", tot["if"][0:2], tot["q"], tot["nt"][0:2], tot["ref"][0:2], kind))
    rows.append(row(topo, "(run total)", "rcv", tot["if"][2:4], tot["q"], tot["nt"][2:4], tot["ref"][2:4], kind))
    with open(a.table, "a") as f:
        for r in rows:
            f.write(r + "\n")
    print("%s: %d passed, %d failed" % (label, ck.passed, ck.failed))
    return 1 if ck.failed else 0


def table_header():
    return "%-5s %-3s %-12s %-3s %7s %10s %7s %10s %7s %10s %6s %6s %s" % (
        "iface", "off", "workload", "dir", "if_pk", "if_B", "q_pk", "q_B", "nt_pk", "nt_B",
        "pk", "B", "ratio to")


def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest="role", required=True)

    def role(name, fn, *opts):
        p = sp.add_parser(name)
        for o in opts:
            p.add_argument("--" + o, type=str if o in ("addr", "mode", "sizes", "path") else int,
                           default=0 if o == "close-delay" else None)
        p.set_defaults(fn=fn)
        return p

    role("tcp-server", role_tcp_server, "family", "addr", "port", "mode", "close-delay")
    role("tcp-client", role_tcp_client, "family", "addr", "port", "mode", "count", "bytes")
    role("udp-recv", role_udp_recv, "family", "addr", "port", "count")
    role("udp-echo", role_udp_echo, "family", "addr", "port", "count")
    role("udp-send", role_udp_send, "family", "addr", "port", "sizes", "count")
    role("fork-udp", role_fork_udp, "family", "addr", "port", "size", "before", "after")
    role("fork-tcp", role_fork_tcp, "family", "addr", "port", "count")
    role("fd-creator", role_fd_creator, "family", "addr", "port", "path")
    role("fd-holder", role_fd_holder, "path")
    m = sp.add_parser("measure")
    for o in ("iface", "offloads", "ns-a", "dev-a", "ns-b", "dev-b", "addr4", "addr6", "netatop",
              "socket", "pidfile", "table", "only"):
        m.add_argument("--" + o)
    m.add_argument("--l2", type=int, default=0)
    m.add_argument("--mtu", type=int, default=1500)
    m.add_argument("--tolerance", type=float, default=0.01)
    m.add_argument("--attempts", type=int, default=3)
    m.set_defaults(fn=measure)
    sp.add_parser("header").set_defaults(fn=lambda a: print(table_header()))
    a = ap.parse_args()
    sys.exit(a.fn(a) or 0)


if __name__ == "__main__":
    main()
