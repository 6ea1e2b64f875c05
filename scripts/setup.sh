#!/usr/bin/env bash
# Set up everything the assistant needs, idempotently: system packages (when apt
# is available), a virtual environment in .venv, and the project itself.
# ./scripts/setup.sh         what a session needs to run
# ./scripts/setup.sh --test  that, plus the test tools and test models (about 300 MB more)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

with_tests=false
case "${1:-}" in
    --test) with_tests=true ;;
    "") ;;
    *) say "unknown option '$1' (use --test, or nothing)"; exit 2 ;;
esac

system_packages=(espeak-ng libespeak-ng1 libportaudio2 libsndfile1 python3-venv sqlite3)
if $with_tests; then
    system_packages+=(pulseaudio pulseaudio-utils)  # the tests' private sound server
fi

missing=()
for pkg in "${system_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
    if command -v apt-get >/dev/null; then
        sudo=""
        if [ "$(id -u)" -ne 0 ]; then
            if ! command -v sudo >/dev/null; then
                say "please install these packages as root (apt-get install ${missing[*]}), then run this again"
                exit 1
            fi
            sudo="sudo"
        fi
        say "installing system packages: ${missing[*]}"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        say "please install these system packages with your package manager, then run this again: ${missing[*]}"
        exit 1
    fi
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    say "the assistant needs Python 3.10 or newer as $python (set PYTHON=/path/to/python3 to choose another)"
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
if ! .venv/bin/assistant models list | grep -q "^Sessions use"; then
    say "fetching the English speech model for voice commands (about 40 MB)"
    .venv/bin/assistant models download ||
        say "no speech model could be downloaded, so voice commands stay off (sessions work without them); run '.venv/bin/assistant models download' when the network allows"
fi
if ! .venv/bin/assistant voices | grep "^\*E piper" >/dev/null; then
    say "fetching a calm English voice for speech, en_US-joe-medium (about 63 MB), and rendering the library's prompts with it"
    .venv/bin/assistant voices download ||
        say "no Piper voice could be downloaded, so the assistant speaks with espeak-ng (clear, but robotic); run '.venv/bin/assistant voices download' when the network allows"
fi
say "ready"
