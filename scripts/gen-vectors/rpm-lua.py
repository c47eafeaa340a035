#!/usr/bin/env python3
"""Writes a Lua chunk that prints "A OP B" for every pair using rpm.vercmp. Pairs where exactly one
side has a release are left out: rpm ignores the release then, OSV orders a missing release first
(docs/advisories.md), and advisories always carry one."""
import sys
vs = [l.rstrip('\n') for l in open(sys.argv[1], encoding='utf-8') if l.strip()]
def has_release(v):
    import re
    rest = re.sub(r'^\d*:', '', v)
    return '-' in rest
lines = ['local ops = {[-1]="<", [0]="=", [1]=">"}', 'local out = {}']
for i, a in enumerate(vs):
    for b in vs[i:]:
        if has_release(a) != has_release(b):
            continue
        la, lb = a.replace('\\', '\\\\').replace('"', '\\"'), b.replace('\\', '\\\\').replace('"', '\\"')
        lines.append(f'out[#out+1] = "{la} " .. ops[rpm.vercmp("{la}", "{lb}")] .. " {lb}"')
lines.append('print(table.concat(out, "\\n"))')
print(' '.join(lines))
