#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Read what `netatop --top` shows (a tmux capture or -b output) and check it.

    topcheck.py rate FILE COMMAND COLUMN EXPECTED    value within 10%
    topcheck.py order FILE KEY FIRST SECOND          the view is sorted by KEY, and
                                                 (but for t) FIRST is above SECOND
    topcheck.py width FILE WIDTH                     fits WIDTH columns
    topcheck.py batch FILE COUNT                     COUNT well-formed reports
    topcheck.py exited FILE COMMAND                  shown exited exactly once
    topcheck.py group FILE TITLE NAME COLUMN MIN     --by: NAME's row has COLUMN >= MIN
    topcheck.py show FILE                            the parsed rows, for humans

Exit 0 when the check holds, 1 (with the reason) when not.
"""
import re
import sys

# The columns of src/client/topfmt.c: one space between them, the name last.
WIDTHS = {"PID": 7, "PROCS": 7, "USER": 8, "S": 1}
NUM_WIDTH = 6
ALL_TITLES = ["PID", "USER", "S", "TCPSND", "TCPSBY", "TCPRCV", "TCPRBY",
              "UDPSND", "UDPSBY", "UDPRCV", "UDPRBY", "SENT", "RCVD", "COMMAND"]
BYTE_COLUMNS = {"TCPSBY", "TCPRBY", "UDPSBY", "UDPRBY", "SENT", "RCVD"}
SUMMARY = re.compile(r"^netatop --top  (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d  "
                     r"interval (\d+\.\d\d) s  (\d+) processes, (\d+) exited  "
                     r"by (process|command|user|cgroup), sorted by (total rate|send rate|"
                     r"receive rate|pid|command)(, wire packets|, socket calls)?(  keys: s r t p c q)?$")
RATE_TEXT = r"\d+(\.\d)?[KMGTPE]?"
UNATTRIBUTED = re.compile(r"^unattributed TCP out/in {0}/{0} pk/s {0}/{0} B/s  "
                          r"UDP out/in {0}/{0} pk/s {0}/{0} B/s$".format(r"\d+(?:\.\d)?[KMGTPE]?"))
TOTALS = re.compile(r"^TCP out {0} pk/s {0} B/s, in {0} pk/s {0} B/s   "
                    r"UDP out {0} pk/s {0} B/s, in {0} pk/s {0} B/s$".format(RATE_TEXT))


class Bad(Exception):
    pass


def number(text, base):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGTPE]?)", text)
    if not m:
        raise Bad("not a number: %r" % text)
    return float(m.group(1)) * base ** ("KMGTPE".index(m.group(2)) + 1 if m.group(2) else 0)


def split_cells(line, titles):
    cells, pos = [], 0
    for t in titles[:-1]:
        w = WIDTHS.get(t, NUM_WIDTH)
        cells.append(line[pos:pos + w])
        pos += w + 1
    cells.append(line[pos:])
    return cells


def parse_header(line):
    titles = line.split()
    if not titles or titles[0] not in ("PID", "PROCS"):
        return None
    cells = [c.strip() for c in split_cells(line.rstrip(), titles)]
    if cells != titles:
        raise Bad("column titles are not where the columns are: %r" % line)
    return titles


def parse(text):
    """The reports in text: summary, totals, titles and rows of each.

    A report is its column titles, the two lines above them (the summary,
    then the totals or an error; in wire mode the unattributed line comes
    between the totals and the titles) and the rows below, up to an empty
    line, the next report or the end.
    """
    lines = text.split("\n")
    heads = []
    for i, line in enumerate(lines):
        titles = parse_header(line)
        if titles and i >= 2:
            heads.append((i, titles))
    blocks = []
    for k, (h, titles) in enumerate(heads):
        unatt = None
        top = h
        if lines[h - 1].startswith("unattributed ") and h >= 3:
            unatt = lines[h - 1].rstrip()
            top = h - 1
        cur = {"summary": lines[top - 2].rstrip(), "totals": lines[top - 1].rstrip(),
               "unattributed": unatt, "titles": titles, "rows": []}
        nxt = heads[k + 1][0] if k + 1 < len(heads) else None
        if nxt is None:
            end = len(lines)
        else:
            end = nxt - (3 if lines[nxt - 1].startswith("unattributed ") else 2)
        for line in lines[h + 1:end]:
            if not line.strip():
                break
            cells = split_cells(line, titles)
            row = {}
            for t, c in zip(titles, cells):
                c = c.strip() if t != titles[-1] else c.rstrip()
                if t in ("PID", "PROCS"):
                    row[t] = int(c)
                elif t in ("USER", "S") or t == titles[-1]:
                    row[t] = c
                else:
                    row[t] = number(c, 1024 if t in BYTE_COLUMNS else 1000)
            row["name"] = row[titles[-1]]
            cur["rows"].append(row)
        blocks.append(cur)
    return blocks


def last_block(text):
    blocks = parse(text)
    if not blocks:
        raise Bad("no report in the output:\n" + text)
    return blocks[-1]


def find(block, name):
    for idx, row in enumerate(block["rows"]):
        if row["name"] == name:
            return idx, row
    raise Bad("%s is not shown:\n%s" % (name, show_block(block)))


def show_block(block):
    out = [block["summary"], block["totals"] or "", " ".join(block["titles"])]
    for r in block["rows"]:
        out.append(" ".join(str(r[t]) for t in block["titles"]))
    return "\n".join(out)


def within(value, expected, what):
    if abs(value - expected) > 0.10 * expected:
        raise Bad("%s: %g, expected %g within 10%%" % (what, value, expected))


def cmd_rate(text, name, column, expected):
    block = last_block(text)
    _, row = find(block, name)
    if column not in row:
        raise Bad("no column %s in %s" % (column, block["titles"]))
    within(row[column], float(expected), "%s %s" % (name, column))
    return "%s %s = %g (expected %s)" % (name, column, row[column], expected)


SORT_NAMES = {"s": "send rate", "r": "receive rate", "t": "total rate", "p": "pid", "c": "command"}


def cmd_order(text, key, first, second):
    block = last_block(text)
    if not block["summary"].rstrip().split("sorted by ")[-1].startswith(SORT_NAMES[key]):
        raise Bad("the screen says %r, not sorted by %s" % (block["summary"], SORT_NAMES[key]))
    rows = block["rows"]
    names = [r["name"] for r in rows]
    note = ""
    m = SUMMARY.match(block["summary"])
    full = m and int(m.group(3)) + int(m.group(4)) > len(rows)
    if key in "srpc" and full and (first not in names or second not in names):
        # more processes than lines (a busy machine): the order of what shows
        note = ", %s or %s beyond the screen's %d lines" % (first, second, len(rows))
    elif key in "srpc":
        a, _ = find(block, first)
        b, _ = find(block, second)
        if a > b:
            raise Bad("%s is below %s:\n%s" % (first, second, show_block(block)))
    if key == "p":
        pids = [r["PID"] for r in rows]
        if pids != sorted(pids) or len(set(pids)) != len(pids):
            raise Bad("pids not in order: %s" % pids)
    elif key == "c":
        names = [r["name"] for r in rows]
        if names != sorted(names):
            raise Bad("commands not in order: %s" % names)
    elif key == "t":
        find(block, first)
        find(block, second)
    return "sorted by %s (%d rows%s)" % (SORT_NAMES[key], len(rows), note)


def cmd_width(text, width):
    width = int(width)
    long_lines = [l for l in text.split("\n") if len(l.rstrip()) > width]
    if long_lines:
        raise Bad("%d lines wider than %d: %r" % (len(long_lines), width, long_lines[0]))
    block = last_block(text)
    for t in ("PID", "S", "COMMAND"):
        if t not in block["titles"]:
            raise Bad("column %s gone at width %d: %s" % (t, width, block["titles"]))
    if not block["rows"]:
        raise Bad("no rows at width %d" % width)
    return "%d columns: %s" % (width, " ".join(block["titles"]))


def cmd_batch(text, count):
    if "\x1b" in text:
        raise Bad("terminal control sequences in batch output")
    blocks = parse(text)
    if len(blocks) != int(count):
        raise Bad("%d reports, expected %s:\n%s" % (len(blocks), count, text))
    for b in blocks:
        if not SUMMARY.match(b["summary"]) or not SUMMARY.match(b["summary"]).group(1):
            raise Bad("bad summary line: %r" % b["summary"])
        if not b["totals"] or not TOTALS.match(b["totals"]):
            raise Bad("bad totals line: %r" % b["totals"])
        if b["titles"] != ALL_TITLES:
            raise Bad("batch output lacks columns: %s" % b["titles"])
        m = SUMMARY.match(b["summary"])
        alive = int(m.group(3))
        exited = int(m.group(4))
        if len(b["rows"]) != alive + exited:
            raise Bad("%d rows for %d processes and %d exited" % (len(b["rows"]), alive, exited))
        if sum(1 for r in b["rows"] if r["S"] == "E") != exited:
            raise Bad("rows marked exited do not match the summary")
    # every line of the output is in some report
    structural = sum(3 + (1 if b["unattributed"] else 0) + len(b["rows"]) + 1 for b in blocks)
    if structural != len(text.rstrip("\n").split("\n")) + 1:
        raise Bad("lines outside the reports:\n" + text)
    return "%d reports parsed" % len(blocks)


def cmd_wire(text):
    """Every report says it counts wire packets and has a well-formed unattributed line."""
    blocks = parse(text)
    if not blocks:
        raise Bad("no report in the output:\n" + text)
    for b in blocks:
        m = SUMMARY.match(b["summary"])
        if not m or m.group(7) != ", wire packets":
            raise Bad("the summary does not say wire packets: %r" % b["summary"])
        if not b["unattributed"] or not UNATTRIBUTED.match(b["unattributed"]):
            raise Bad("no well-formed unattributed line: %r" % b["unattributed"])
    return "%d reports in wire mode, unattributed shown: %s" % (len(blocks), blocks[-1]["unattributed"])


def cmd_exited(text, name):
    blocks = parse(text)
    seen = [(i, r["S"]) for i, b in enumerate(blocks) for r in b["rows"] if r["name"] == name]
    marked = [i for i, s in seen if s == "E"]
    if len(marked) != 1:
        raise Bad("%s shown exited %d times: %s" % (name, len(marked), seen))
    if any(i > marked[0] for i, _ in seen):
        raise Bad("%s shown again after its exit: %s" % (name, seen))
    if not any(i < marked[0] for i, _ in seen):
        raise Bad("%s was never shown running: %s" % (name, seen))
    return "%s shown running in %d reports, exited in report %d of %d" % (
        name, len(seen) - 1, marked[0] + 1, len(blocks))


def cmd_group(text, title, name, column, minimum):
    block = last_block(text)
    if block["titles"][0] != "PROCS" or block["titles"][-1] != title:
        raise Bad("not one line per %s: %s" % (title.lower(), block["titles"]))
    _, row = find(block, name)
    if row[column] < float(minimum) or row["PROCS"] < 1:
        raise Bad("%s %s: %g, expected at least %s" % (name, column, row[column], minimum))
    names = [r["name"] for r in block["rows"]]
    if len(set(names)) != len(names):
        raise Bad("a %s on two lines: %s" % (title.lower(), names))
    return "%s %s: %d processes, %s %g" % (title.lower(), name, row["PROCS"], column, row[column])


def main():
    cmds = {"rate": cmd_rate, "order": cmd_order, "width": cmd_width,
            "batch": cmd_batch, "exited": cmd_exited, "group": cmd_group,
            "wire": cmd_wire}
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[2], encoding="utf-8", errors="replace") as f:
        text = f.read()
    try:
        if sys.argv[1] == "show":
            for b in parse(text):
                print(show_block(b))
            return 0
        print(cmds[sys.argv[1]](text, *sys.argv[3:]))
    except Bad as e:
        print(e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
