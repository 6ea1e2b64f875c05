"""Practices as audio files to take along: rendered, levelled, encoded, tagged."""
