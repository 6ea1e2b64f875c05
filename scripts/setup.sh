#!/usr/bin/env bash
# Set up everything the assistant needs, idempotently, on Linux or macOS: a virtual
# environment in .venv, the project itself, and the few system pieces the wheels do not
# bring. Each piece is checked by what it does (can Python open PortAudio?), not by a
# distribution's package name; a missing one is installed with apt or Homebrew when one
# of them is there, or named for you to install otherwise.
# ./scripts/setup.sh         what a session needs to run
# ./scripts/setup.sh --test  that, plus the test tools and test models (about 400 MB more)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

with_tests=false
case "${1:-}" in
    --test) with_tests=true ;;
    "") ;;
    *) say "unknown option '$1' (use --test, or nothing)"; exit 2 ;;
esac

# install_system WHAT APT_PACKAGES BREW_PACKAGES: bring a missing piece with the
# machine's own package manager (an empty list means that system needs nothing).
install_system() {
    local what=$1 apt=$2 brew=$3
    if command -v apt-get >/dev/null && [ -n "$apt" ]; then
        local sudo=""
        if [ "$(id -u)" -ne 0 ]; then
            if ! command -v sudo >/dev/null; then
                say "$what is missing: please run 'apt-get install $apt' as root, then run this again"
                exit 1
            fi
            sudo="sudo"
        fi
        say "installing $what: $apt"
        # shellcheck disable=SC2086 # a list of package names
        $sudo apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $apt >/dev/null
    elif command -v brew >/dev/null && [ -n "$brew" ]; then
        say "installing $what with Homebrew: $brew"
        # shellcheck disable=SC2086
        brew install --quiet $brew
    else
        local how=${apt:+"apt: $apt"}
        [ -n "$brew" ] && how="${how:+$how; }Homebrew: $brew"
        say "$what is missing; please install it with your package manager (${how:-see README.md}), then run this again"
        exit 1
    fi
}

# A Python from 3.10 to 3.13 that can make virtual environments.
usable_python() {
    "$1" -c 'import sys, venv, ensurepip; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null
}
python=${PYTHON:-}
if [ -z "$python" ]; then
    for candidate in python3 python3.13 python3.12 python3.11 python3.10; do
        if command -v "$candidate" >/dev/null && usable_python "$candidate"; then
            python=$candidate
            break
        fi
    done
fi
if [ -z "$python" ]; then
    if command -v python3 >/dev/null && python3 -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null; then
        install_system "Python's virtual environments" "python3-venv" ""
        python=python3
    else
        install_system "Python 3.10 to 3.13" "python3 python3-venv" "python@3.12"
        python=python3
        command -v python3.12 >/dev/null && python=python3.12
    fi
fi
if ! usable_python "$python"; then
    say "the assistant needs Python 3.10 to 3.13 with venv as $python (set PYTHON=/path/to/python3 to choose another)"
    exit 1
fi

if [ ! -x .venv/bin/python ]; then
    say "creating the virtual environment in .venv"
    "$python" -m venv .venv
fi

# One stamp per kind of install; the test install holds the runtime one too.
fresh() { [ -f "$1" ] && ! [ pyproject.toml -nt "$1" ]; }
runtime_stamp=.venv/.installed-runtime
test_stamp=.venv/.installed-test
if $with_tests; then
    if ! fresh "$test_stamp"; then
        say "installing the assistant, its test tools and test models into .venv"
        .venv/bin/python -m pip install -q --upgrade pip
        .venv/bin/python -m pip install -q -e ".[test]"
        touch "$test_stamp" "$runtime_stamp"
    fi
elif ! fresh "$runtime_stamp" && ! fresh "$test_stamp"; then
    say "installing the assistant into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e .
    touch "$runtime_stamp"
fi

# What the wheels leave to the system. On macOS and Windows the sounddevice wheel
# carries PortAudio and the system voice needs nothing; on Linux both come from it.
can() { .venv/bin/python -c "$1" >/dev/null 2>&1; }
if ! can "import sounddevice"; then
    install_system "PortAudio, the sound library" "libportaudio2" "portaudio"
fi
if ! can "import soundfile"; then
    install_system "libsndfile, the sound-file library" "libsndfile1" "libsndfile"
fi
if [ "$(uname -s)" = Linux ] && ! can "from pyttsx3.drivers import _espeak"; then
    install_system "espeak-ng, the voice that is always there" "espeak-ng libespeak-ng1" ""
fi
if ! command -v sqlite3 >/dev/null; then  # the deeper of the journal's two ways of recovery
    install_system "the sqlite3 program, for recovering a damaged journal" "sqlite3" "sqlite"
fi
if $with_tests && [ "$(uname -s)" = Linux ]; then
    # The tests' private sound server; elsewhere the tests that need it are skipped.
    if ! command -v pulseaudio >/dev/null || ! command -v pactl >/dev/null; then
        install_system "PulseAudio, for the tests' private sound server" "pulseaudio pulseaudio-utils" ""
    fi
    if ! command -v espeak-ng >/dev/null; then
        install_system "the espeak-ng program the voice tests compare with" "espeak-ng" ""
    fi
fi

if ! .venv/bin/assistant models list | grep -q "^Sessions use"; then
    say "fetching the English speech model for voice commands (about 40 MB)"
    .venv/bin/assistant models download ||
        say "no speech model could be downloaded, so voice commands stay off (sessions work without them); run '.venv/bin/assistant models download' when the network allows"
fi
if ! .venv/bin/assistant voices | grep "^\*E piper" >/dev/null; then
    say "fetching a calm English voice for speech, en_US-joe-medium (about 63 MB), and rendering the library's prompts with it"
    .venv/bin/assistant voices download ||
        say "no Piper voice could be downloaded, so the assistant speaks with the system's own voice; run '.venv/bin/assistant voices download' when the network allows"
fi
say "ready"
