#!/usr/bin/env python3
# bench-summary.py — the closing table of `make bench` (issue 12)
#
# Every benchmark prints its side-by-side ratios as lines of the form
#   RATIO <name> <value> target <op> <target> <met|not met>
# This reads meson's test log (BUILD/meson-logs/testlog.txt, or any file
# given) and prints them all in one table, with the bench each came from,
# and a last line counting met and not met. Exit status 0 always: a slow
# machine is a figure, not a failure.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import re
import sys

RATIO = re.compile(r'^RATIO (\S+) (\S+) target (<=|>=|<|>|=) (\S+) (met|not met)\s*$')
TEST = re.compile(r'^test:\s+(\S+)')


def read(path):
    bench = '?'
    rows = {}
    try:
        with open(path, encoding='utf-8', errors='replace') as log:
            for line in log:
                m = TEST.match(line)
                if m:
                    bench = m.group(1)
                    continue
                m = RATIO.match(line.strip())
                if m:
                    # The same line can be in the log twice (verbose echo):
                    # one row per (bench, name), the last one wins.
                    rows[(bench, m.group(1))] = (bench,) + m.groups()
    except OSError as e:
        print(f'bench-summary: cannot read {path}: {e.strerror}', file=sys.stderr)
    return list(rows.values())


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else 'build/meson-logs/testlog.txt'
    rows = read(path)
    print()
    print('Ratios, side by side in this run (target met or not):')
    if not rows:
        print('  no RATIO line in', path)
        return 0
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    widths = [max(w, len(h)) for w, h in zip(widths, ('bench', 'ratio', 'value'))]
    print(f'  {"bench":<{widths[0]}}  {"ratio":<{widths[1]}}  {"value":>{widths[2]}}  target    verdict')
    for bench, name, value, op, target, verdict in rows:
        print(f'  {bench:<{widths[0]}}  {name:<{widths[1]}}  {value:>{widths[2]}}  {op + " " + target:<8}  {verdict}')
    met = sum(1 for r in rows if r[5] == 'met')
    print(f'  {met} met, {len(rows) - met} not met')
    return 0


if __name__ == '__main__':
    sys.exit(main())
