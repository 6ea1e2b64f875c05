# Set up (if needed) and run the whole test suite, including ruff and mypy. The tests
# that play through a private PulseAudio server run on Linux only and are skipped here.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
& .\scripts\setup.ps1 -Test
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
& .venv\Scripts\python.exe -m pytest -n 4 --durations=10 @args
exit $LASTEXITCODE
