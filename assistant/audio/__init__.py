"""Sound in and out: the mixer timeline (the session clock), cue synthesis, devices and files."""
