# Set up (if needed) and start: .\scripts\start.ps1 [EXERCISE] [options]
# With no exercise (or only options), the spoken menu asks for one and the options
# go to the session it starts.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
& .\scripts\setup.ps1
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
$assistant = ".venv\Scripts\assistant.exe"
if ($args.Count -eq 0 -or "$($args[0])".StartsWith("-")) {
    & $assistant @args
} else {
    & $assistant run @args
}
exit $LASTEXITCODE
