"""The voice: Piper or espeak-ng rendered to PCM, chosen once, cached and levelled."""
