"""The command line: its verbs, keys and printed lines, signals and a quiet terminal.

Kept light: importing this package imports nothing heavy; `launch.main` is the
entry point.
"""
