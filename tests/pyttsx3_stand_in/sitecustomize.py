"""Run at the start of every Python process whose PYTHONPATH holds this folder (the tests
set it for the children they start): pyttsx3 looks for its drivers in the folders named
by STAND_IN_DRIVERS before its own."""

import os

_folders = [folder for folder in os.environ.get("STAND_IN_DRIVERS", "").split(os.pathsep)
            if folder]
if _folders:
    import pyttsx3.drivers

    pyttsx3.drivers.__path__[:0] = _folders
