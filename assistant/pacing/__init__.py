"""Pure pacing logic: breathing patterns and step tempos turned into cue schedules."""
