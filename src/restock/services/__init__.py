"""Use cases: each opens one unit of work, loads, asks the domain, writes, and commits (or nothing)."""
