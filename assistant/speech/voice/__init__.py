"""The voice: Piper or the system's own voice rendered to PCM, chosen once, cached and levelled."""
