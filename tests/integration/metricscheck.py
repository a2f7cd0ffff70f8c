#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Parse `netatop --metrics` output with prometheus_client's parser and check it.

    metricscheck.py structure FILE [TOPN]        well-formed; both sums agree
    metricscheck.py compare FILE LIST NETGEN...  each netgen process's command:
                                                 metrics == --list --json == sent
    metricscheck.py label FILE NAME COUNTER VALUE  a command label survives escaping
                                                 (NAME with Python's \\n, \\\\)
    metricscheck.py down FILE                    only netatop_up 0
    metricscheck.py monotonic FILE...            no series goes down from a file
                                                 to the next
    metricscheck.py same FILE1 FILE2 NETGEN...   netgen's commands' series equal
    metricscheck.py absent FILE NETGEN...        netgen's commands have no series

Exit 0 when the check holds, 1 (with the reason) when not.
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

COUNTERS = ["tcpsndpacks", "tcpsndbytes", "tcprcvpacks", "tcprcvbytes",
            "udpsndpacks", "udpsndbytes", "udprcvpacks", "udprcvbytes"]
NAMES = {"tcpsndpacks": "tcp_sent_packets", "tcpsndbytes": "tcp_sent_bytes",
         "tcprcvpacks": "tcp_received_packets", "tcprcvbytes": "tcp_received_bytes",
         "udpsndpacks": "udp_sent_packets", "udpsndbytes": "udp_sent_bytes",
         "udprcvpacks": "udp_received_packets", "udprcvbytes": "udp_received_bytes"}


class Bad(Exception):
    pass


def families(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    fams = {}
    for fam in text_string_to_metric_families(text):
        if fam.name in fams:
            raise Bad("family %s twice" % fam.name)
        fams[fam.name] = fam
    return text, fams


def series(fams, family, label):
    """{label value: sample value} of a counter family (parsed without _total)."""
    fam = fams.get(family)
    if fam is None:
        raise Bad("no family %s (have %s)" % (family, sorted(fams)))
    if fam.type != "counter":
        raise Bad("%s is a %s, not a counter" % (family, fam.type))
    out = {}
    for s in fam.samples:
        if s.name != family + "_total":
            raise Bad("sample %s in family %s" % (s.name, family))
        if set(s.labels) != {label}:
            raise Bad("%s has labels %s, expected only %s" % (family, s.labels, label))
        v = s.labels[label]
        if v in out:
            raise Bad("%s{%s=%r} twice" % (family, label, v))
        if s.value < 0 or s.value != int(s.value):
            raise Bad("%s{%s=%r} = %r" % (family, label, v, s.value))
        out[v] = int(s.value)
    return out


def gauge(fams, name):
    fam = fams.get(name)
    if fam is None or fam.type != "gauge" or len(fam.samples) != 1:
        raise Bad("no gauge %s" % name)
    return fam.samples[0].value


def cmd_structure(path, topn=None):
    text, fams = families(path)
    if "# EOF" in text:
        raise Bad("OpenMetrics '# EOF' in a text format 0.0.4 exposition")
    for line in text.splitlines():
        if not line.startswith("#"):
            continue
        parts = line.split(" ", 3)
        if parts[1] not in ("HELP", "TYPE") or len(parts) < 4:
            raise Bad("bad comment line %r" % line)
    if gauge(fams, "netatop_up") != 1:
        raise Bad("netatop_up is not 1")
    nprocs = gauge(fams, "netatop_processes")
    for c in COUNTERS:
        by_cmd = series(fams, "netatop_" + NAMES[c], "command")
        by_cg = series(fams, "netatop_cgroup_" + NAMES[c], "cgroup")
        if sum(by_cmd.values()) != sum(by_cg.values()):
            raise Bad("%s: %d by command, %d by cgroup" % (c, sum(by_cmd.values()), sum(by_cg.values())))
        for name, d in (("command", by_cmd), ("cgroup", by_cg)):
            if "other" not in d:
                raise Bad("no %s=\"other\" series for %s" % (name, c))
            if topn is not None and len(d) > int(topn) + 1:
                raise Bad("%d %s series for %s with --top-n %s" % (len(d), name, c, topn))
    for loss in ("netatop_dropped_calls", "netatop_dropped_exit_records",
                 "netatop_evicted_exited_records"):
        if loss not in fams or fams[loss].type != "counter":
            raise Bad("no counter %s_total" % loss)
    return "%d families, %d processes, %d command series" % (
        len(fams), nprocs, len(series(fams, "netatop_tcp_sent_bytes", "command")))


def netgen_lines(path):
    """pid, comm and the expected counters of each process netgen reported."""
    out = []
    with open(path) as f:
        for line in f:
            if not line.startswith("pid="):
                continue
            kv = dict(w.split("=", 1) for w in line.split())
            out.append(kv)
    if not out:
        raise Bad("no process in %s" % path)
    return out


def cmd_compare(path, listpath, *netgens):
    _, fams = families(path)
    with open(listpath) as f:
        recs = [json.loads(l) for l in f if l.strip()]
    checked = 0
    for ng in netgens:
        for p in netgen_lines(ng):
            comm = p["comm"]
            mine = [r for r in recs if r["command"] == comm]
            if not any(r["pid"] == int(p["pid"]) for r in mine):
                raise Bad("--list --json has no pid %s (%s)" % (p["pid"], comm))
            for c in COUNTERS:
                listed = sum(r[c] for r in mine)
                metric = series(fams, "netatop_" + NAMES[c], "command").get(comm)
                if metric != listed:
                    raise Bad("%s %s: metrics %s, --list --json %d" % (comm, c, metric, listed))
                if int(p[c]) != listed:
                    raise Bad("%s %s: netgen sent %s, netatop counted %d" % (comm, c, p[c], listed))
            checked += 1
    return "%d processes: metrics == --list --json == what netgen moved" % checked


def cmd_label(path, name, counter, value):
    name = name.encode().decode("unicode_escape")  # \n, \\ as in Python
    _, fams = families(path)
    got = series(fams, "netatop_" + NAMES[counter], "command").get(name)
    if got != int(value):
        raise Bad("command=%r %s: %s, expected %s" % (name, counter, got, value))
    return "command=%r parsed back, %s %s" % (name, counter, got)


def cmd_down(path):
    text, fams = families(path)
    if list(fams) != ["netatop_up"] or gauge(fams, "netatop_up") != 0:
        raise Bad("expected only netatop_up 0:\n" + text)
    return "netatop_up 0"


def all_series(path):
    """{(family, label value): value} of every counter sample."""
    _, fams = families(path)
    out = {}
    for fam in fams.values():
        if fam.type != "counter":
            continue
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def cmd_monotonic(*paths):
    runs = [all_series(p) for p in paths]
    checked = 0
    for a, b in zip(runs, runs[1:]):
        for key, v in b.items():
            if key in a:
                checked += 1
                if v < a[key]:
                    raise Bad("%s%s went down: %g -> %g" % (key[0], dict(key[1]), a[key], v))
    return "%d series compared over %d runs, none went down" % (checked, len(paths))


def netgen_comms(paths):
    return [p["comm"] for ng in paths for p in netgen_lines(ng)]


def cmd_same(path1, path2, *netgens):
    _, f1 = families(path1)
    _, f2 = families(path2)
    for comm in netgen_comms(netgens):
        for c in COUNTERS:
            a = series(f1, "netatop_" + NAMES[c], "command").get(comm)
            b = series(f2, "netatop_" + NAMES[c], "command").get(comm)
            if a is None or a != b:
                raise Bad("%s %s: %s, then %s" % (comm, c, a, b))
    return "the series of %d exited processes' commands kept their values" % len(netgen_comms(netgens))


def cmd_absent(path, *netgens):
    _, fams = families(path)
    for comm in netgen_comms(netgens):
        if comm in series(fams, "netatop_tcp_sent_bytes", "command"):
            raise Bad("%s still has a series" % comm)
    return "no series for %d forgotten processes' commands" % len(netgen_comms(netgens))


def main():
    cmds = {"structure": cmd_structure, "compare": cmd_compare, "label": cmd_label,
            "down": cmd_down, "monotonic": cmd_monotonic, "same": cmd_same,
            "absent": cmd_absent}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    try:
        print(cmds[sys.argv[1]](sys.argv[2], *sys.argv[3:]))
    except Bad as e:
        print(e)
        return 1
    except Exception as e:  # the parser's own complaints
        print("%s: %s" % (type(e).__name__, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
