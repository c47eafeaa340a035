#!/usr/bin/env python3
"""Builds the version corpus for one ecosystem: hand-picked edge cases (corpus/<id>.txt), the
versions named by the copied osv-scalibr vector files, and real versions from the package
databases in /work/shared/fixtures/pkgdb/EXPECTED (when present). Prints one version per line.
Usage: corpus.py ID"""
import csv, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
EXPECTED = '/work/shared/fixtures/pkgdb/EXPECTED'
OSV = {'dpkg': 'debian', 'rpm': 'redhat', 'pep440': 'pypi', 'maven': 'maven', 'npm': 'semver'}

def from_vectors(name):
    out = []
    path = os.path.join(ROOT, 'testdata', 'versions', 'osv-scalibr', f'{name}-versions.txt')
    for line in open(path, encoding='utf-8'):
        m = re.match(r'^(\S+)\s+[<=>]\s+(\S+)', line.strip())
        if m and not line.startswith(('#', '//')):
            out += [m.group(1), m.group(2)]
    return out

def from_expected(ident):
    out = []
    if not os.path.isdir(EXPECTED):
        return out
    for f in sorted(os.listdir(EXPECTED)):
        rows = [l for l in open(os.path.join(EXPECTED, f), encoding='utf-8') if not l.startswith('#')]
        for r in csv.DictReader(rows, delimiter='\t'):
            if ident == 'dpkg' and 'dpkg' in f:
                v = r.get('Version') or ''
                if r.get('Epoch'): v = f"{r['Epoch']}:{v}"
                if r.get('Release'): v = f"{v}-{r['Release']}"
                out.append(v)
            elif ident == 'rpm' and 'rpm' in f:
                e = f"{r['Epoch']}:" if r.get('Epoch') else ''
                out.append(f"{e}{r['Version']}-{r['Release']}")
            elif ident == 'npm' and 'npm' in f:
                out.append(r['Version'])
    return out

def main():
    ident = sys.argv[1]
    seen, out = set(), []
    hand = os.path.join(HERE, 'corpus', f'{ident}.txt')
    items = [l.strip() for l in open(hand, encoding='utf-8') if l.strip() and not l.startswith('#')]
    items += from_vectors(OSV[ident]) + from_expected(ident)
    for v in items:
        if v not in seen:
            seen.add(v); out.append(v)
    print('\n'.join(out))

main()
