"""Speech in and out: the voice, the speech detector and the command recogniser."""
