import sys

try:
    from assistant.cli.launch import main

    status = main()
except KeyboardInterrupt:  # a Ctrl-C before the entry point's own guard
    status = 130
sys.exit(status)
