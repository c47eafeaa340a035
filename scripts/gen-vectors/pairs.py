#!/usr/bin/env python3
"""Prints every unordered pair (and each version with itself) of the versions in FILE, tab-separated."""
import sys
vs = [l.rstrip('\n') for l in open(sys.argv[1], encoding='utf-8') if l.strip()]
for i, a in enumerate(vs):
    for b in vs[i:]:
        print(f'{a}\t{b}')
