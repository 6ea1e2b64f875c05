"""Test tools shipped with the package, for the tests and the benchmarks.

- `harness`: sessions on the virtual clock with scripted commands, a stand-in voice,
  a child's own peak memory;
- `sounds`: real espeak-ng speech, room noise and silence for microphone files;
- `pulse`: a private PulseAudio server with null sinks, and cues found in a recording;
- `couple` and `experience`: the couple simulator and the judge of a lived session;
- `hostile`: generated hostile exercise scripts.
"""
