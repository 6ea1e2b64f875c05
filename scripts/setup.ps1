# Set up everything the assistant needs on Windows, idempotently: a virtual environment
# in .venv and the project itself. The wheels carry PortAudio and libsndfile, and the
# system voice (SAPI5) comes with Windows, so only Python may have to be installed.
#   .\scripts\setup.ps1          what a session needs to run
#   .\scripts\setup.ps1 -Test    that, plus the test tools and test models
param([switch]$Test)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")

function Say([string]$Message) { [Console]::Error.WriteLine("setup: $Message") }

# A Python from 3.10 to 3.13: the launcher's choice first, then python on the PATH.
function Find-Python {
    $ErrorActionPreference = "Continue"  # a missing version's complaint on stderr is no error here
    $check = "import sys, venv, ensurepip; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))"
    foreach ($candidate in @("py -3.12", "py -3.13", "py -3.11", "py -3.10", "python")) {
        $parts = $candidate -split " "
        if (-not (Get-Command $parts[0] -ErrorAction SilentlyContinue)) { continue }
        $rest = @($parts | Select-Object -Skip 1)
        & $parts[0] @rest -c $check 2>$null
        if ($LASTEXITCODE -eq 0) { return $candidate }
    }
    return $null
}

if ($env:PYTHON) { $python = $env:PYTHON } else { $python = Find-Python }
if (-not $python) {
    if (Get-Command winget -ErrorAction SilentlyContinue) {
        Say "installing Python 3.12 with winget"
        winget install --id Python.Python.3.12 --exact --silent --accept-package-agreements --accept-source-agreements
        $env:Path = [Environment]::GetEnvironmentVariable("Path", "User") + ";" + [Environment]::GetEnvironmentVariable("Path", "Machine")
        $python = Find-Python
    }
    if (-not $python) {
        Say "the assistant needs Python 3.10 to 3.13: install it (winget install Python.Python.3.12), then run this again"
        exit 1
    }
}

$venvPython = ".venv\Scripts\python.exe"
if (-not (Test-Path $venvPython)) {
    Say "creating the virtual environment in .venv"
    if ($env:PYTHON) { $parts = @($env:PYTHON) } else { $parts = $python -split " " }  # a path may hold spaces
    $rest = @($parts | Select-Object -Skip 1)
    & $parts[0] @rest -m venv .venv
    if ($LASTEXITCODE -ne 0) { Say "the virtual environment could not be made"; exit 1 }
}

# One stamp per kind of install; the test install holds the runtime one too.
function Fresh([string]$Stamp) {
    (Test-Path $Stamp) -and ((Get-Item $Stamp).LastWriteTime -ge (Get-Item "pyproject.toml").LastWriteTime)
}
$runtimeStamp = ".venv\.installed-runtime"
$testStamp = ".venv\.installed-test"
if ($Test) {
    if (-not (Fresh $testStamp)) {
        Say "installing the assistant, its test tools and test models into .venv"
        & $venvPython -m pip install -q --upgrade pip
        & $venvPython -m pip install -q -e ".[test]"
        if ($LASTEXITCODE -ne 0) { Say "the install failed; see the lines above"; exit 1 }
        New-Item -ItemType File -Force $testStamp, $runtimeStamp | Out-Null
    }
} elseif (-not (Fresh $runtimeStamp) -and -not (Fresh $testStamp)) {
    Say "installing the assistant into .venv"
    & $venvPython -m pip install -q --upgrade pip
    & $venvPython -m pip install -q -e .
    if ($LASTEXITCODE -ne 0) { Say "the install failed; see the lines above"; exit 1 }
    New-Item -ItemType File -Force $runtimeStamp | Out-Null
}

$assistant = ".venv\Scripts\assistant.exe"
if (-not ((& $assistant models list) -match "^Sessions use")) {
    Say "fetching the English speech model for voice commands (about 40 MB)"
    & $assistant models download
    if ($LASTEXITCODE -ne 0) {
        Say "no speech model could be downloaded, so voice commands stay off (sessions work without them); run '.venv\Scripts\assistant models download' when the network allows"
    }
}
if (-not ((& $assistant voices) -match "^\*E piper")) {
    Say "fetching a calm English voice for speech, en_US-joe-medium (about 63 MB)"
    & $assistant voices download
    if ($LASTEXITCODE -ne 0) {
        Say "no Piper voice could be downloaded, so the assistant speaks with the Windows voice; run '.venv\Scripts\assistant voices download' when the network allows"
    }
}
Say "ready"
exit 0
