"""Stand-in for pyttsx3's espeak-ng binding on a machine without the library: it fails to
import just as the real one does when it finds no libespeak-ng."""

raise RuntimeError("This means you probably do not have eSpeak or eSpeak-ng installed!")
