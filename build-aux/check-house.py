#!/usr/bin/env python3
"""Checks the house rules of issue 11 over app/: no .c file over 900 lines,
no function over 80 lines unless a comment in the 3 lines above its name
says "long:", and no include circle between core files.
Prints what breaks a rule; exits 1 if anything does."""
import os, re, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
MAX_FILE, MAX_FUNC = 900, 80
bad = 0

def sources(top, exts):
    for d, _, files in os.walk(os.path.join(ROOT, top)):
        for f in sorted(files):
            if f.endswith(exts):
                yield os.path.join(d, f)

for path in sources('app', ('.c',)):
    lines = open(path, encoding='utf-8', errors='replace').read().split('\n')
    rel = os.path.relpath(path, ROOT)
    if len(lines) - 1 > MAX_FILE:
        print(f'{rel}: {len(lines) - 1} lines (over {MAX_FILE})'); bad += 1
    start = None
    for i, line in enumerate(lines):
        if line == '{':
            start = i
        elif line == '}' and start is not None:
            length = i - start + 1
            if length > MAX_FUNC:
                # the name is on the line above the '(' line
                j = start - 1
                while j > 0 and '(' not in lines[j]:
                    j -= 1
                above = '\n'.join(lines[max(0, j - 4):j])
                if 'long:' not in above:
                    m = re.match(r'\s*(\w+)', lines[j])
                    print(f'{rel}:{j + 1}: {m.group(1) if m else "?"} is {length} lines (over {MAX_FUNC})')
                    bad += 1
            start = None

# include graph between core headers/sources, by base name
graph = {}
for path in sources('app/core', ('.c', '.h')):
    base = os.path.basename(path).rsplit('.', 1)[0]
    base = re.sub(r'-private$', '', base)
    for inc in re.findall(r'#include "(postier-[\w-]+)\.h"', open(path, encoding='utf-8').read()):
        inc = re.sub(r'-private$', '', inc)
        if inc != base and inc != 'postier-core':
            graph.setdefault(base, set()).add(inc)
seen_cycles = set()
def dfs(node, stack):
    global bad
    for nxt in sorted(graph.get(node, ())):
        if nxt in stack:
            cyc = stack[stack.index(nxt):] + [nxt]
            key = frozenset(cyc)
            if key not in seen_cycles:
                seen_cycles.add(key); print('include circle: ' + ' -> '.join(cyc)); bad += 1
        elif len(stack) < 12:
            dfs(nxt, stack + [nxt])
for n in sorted(graph):
    dfs(n, [n])
sys.exit(1 if bad else 0)
