#!/usr/bin/env python3
"""Restates the orderings asserted by apk-tools' tests/version.data and rpm's tests/rpmvercmp.at
(GPL-2.0 projects; the files themselves are not copied into this repository) as facts in our own
vector format: each pair normalised to "smaller < greater" or "a = b", deduplicated and sorted.
Usage: facts.py  (reads /work/shared/fixtures/versions/upstream, writes testdata/versions/facts)"""
import os, re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
UP = '/work/shared/fixtures/versions/upstream'

def norm(a, op, b):
    if op == '>':
        a, op, b = b, '<', a
    if op == '=' and b < a:
        a, b = b, a
    return f'{a} {op} {b}'

def write(name, source, facts):
    out = os.path.join(ROOT, 'testdata', 'versions', 'facts', name)
    with open(out, 'w', encoding='utf-8') as f:
        f.write(f'# Orderings stated by {source}, restated as facts by scripts/gen-vectors/facts.py.\n')
        for line in sorted(set(facts)):
            f.write(line + '\n')

apk = []
for line in open(os.path.join(UP, 'apk-tools-version.data'), encoding='utf-8'):
    m = re.match(r'^(\S+)\s+([<=>])\s+(\S+)', line)
    if m and not line.startswith('#'):
        apk.append(norm(m.group(1), m.group(2), m.group(3)))
write('apk-tools.txt', 'alpinelinux/apk-tools tests/version.data', apk)

rpm = []
for line in open(os.path.join(UP, 'rpm-rpmvercmp-vectors.tsv'), encoding='utf-8'):
    parts = line.rstrip('\n').split('\t')
    if len(parts) == 3 and parts[2] in ('-1', '0', '1'):
        rpm.append(norm(parts[0], {'-1': '<', '0': '=', '1': '>'}[parts[2]], parts[1]))
write('rpm-rpmvercmp.txt', 'rpm-software-management/rpm tests/rpmvercmp.at', rpm)
