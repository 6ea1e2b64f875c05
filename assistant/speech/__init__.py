"""Speech out (the voice) and, later, speech in (detection, commands, turn-keeping)."""
