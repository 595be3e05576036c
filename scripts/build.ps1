# Build dist\jinguo\ on Windows 10/11 with PyInstaller (build.spec), then check the built
# program itself: its --smoke self-test, a demo database, and a summary and a roster PDF
# exported headless, each with Chinese text and the embedded WenQuanYi font.
# Exits with a non-zero code when any step fails. Same checks as scripts/build.sh.
# Saved as UTF-8 with a byte order mark: Windows PowerShell 5.1 reads a file without one in
# the ANSI code page (GBK on Chinese Windows) and would garble the Chinese words below.
#
# Needs the project installed with the build and test extras in the active Python:
#     py -3.11 -m venv .venv ; .venv\Scripts\activate ; pip install -e ".[build,test]"
# Usage (PowerShell, from the project folder):
#     powershell -ExecutionPolicy Bypass -File scripts\build.ps1 [-SkipBuild]
param([switch]$SkipBuild)

$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$env:PYTHONIOENCODING = "utf-8"

$Dist = "dist\jinguo"
# jinguo.exe is the window (no console); jinguo-cli.exe is the same program with a console.
$Cli = Join-Path $Dist "jinguo-cli.exe"

function Step($text) { Write-Host "`n== $text" }
function Fail($text) { Write-Host "FAIL: $text" -ForegroundColor Red; exit 1 }
function Run($what) {
    # Run a native command (the arguments after $what) and fail on a non-zero exit code.
    $command, $arguments = $args
    & $command @arguments
    if ($LASTEXITCODE -ne 0) { Fail "$what (exit code $LASTEXITCODE)" }
}

if (-not $SkipBuild) {
    Step "PyInstaller build"
    $started = Get-Date
    Run "PyInstaller" python -m PyInstaller --noconfirm --clean --log-level WARN build.spec
    Write-Host ("build took {0:N0} s" -f ((Get-Date) - $started).TotalSeconds)
}
if (-not (Test-Path (Join-Path $Dist "jinguo.exe"))) { Fail "$Dist\jinguo.exe was not built" }
if (-not (Test-Path $Cli)) { Fail "$Cli was not built" }

# A scratch folder for the data folder, the demo database and the exported files: the checks
# never touch the real data folder of whoever runs the build.
$CheckDir = Join-Path ([System.IO.Path]::GetTempPath()) ("jinguo-build-check-" + [guid]::NewGuid())
New-Item -ItemType Directory -Path $CheckDir | Out-Null
$env:JINGUO_DATA_DIR = Join-Path $CheckDir "data"
$env:QT_QPA_PLATFORM = "offscreen"
$Db = Join-Path $CheckDir "demo.db"
try {
    Step "the bundle has the user manual"
    $manual = Join-Path $Dist "_internal\resources\help\manual.html"
    if (-not (Test-Path $manual) -or -not (Select-String -Path $manual -Pattern "巾帼枢纽使用手册" -Encoding UTF8 -Quiet)) {
        Fail "resources/help/manual.html is not bundled"
    }

    Step "built program: demo database (500 people)"
    Run "jinguo demo" $Cli demo --db $Db --people 500

    Step "built program: --smoke"
    $smoke = & $Cli --db $Db --smoke --print-check
    if ($LASTEXITCODE -ne 0) { Fail "jinguo --smoke --print-check (exit code $LASTEXITCODE)" }
    Write-Host $smoke
    if (-not ($smoke -match "^startup_ms=\d+$")) { Fail "--smoke printed no startup_ms" }
    if (-not ($smoke -match "^print_check=ok$")) { Fail "the print preview's PDF rendering (QtPdf) failed" }

    Step "built program: summary PDF"
    $summary = Join-Path $CheckDir "summary.pdf"
    Run "export summary" $Cli export summary --period 2025 --db $Db -o $summary
    Run "summary.pdf" python scripts\build_check_pdf.py $summary "青禾县"

    Step "built program: volunteer roster PDF"
    $roster = Join-Path $CheckDir "roster.pdf"
    Run "export roster" $Cli export roster --volunteers --db $Db -o $roster
    Run "roster.pdf" python scripts\build_check_pdf.py $roster "花名册"

    Step "the program's log has no errors"
    $bad = Select-String -Path (Join-Path $env:JINGUO_DATA_DIR "logs\jinguo.log") -Pattern " (ERROR|CRITICAL|WARNING) "
    if ($bad) { $bad | ForEach-Object { Write-Host $_.Line }; Fail "the built program logged warnings or errors" }
}
finally {
    Remove-Item -Recurse -Force $CheckDir -ErrorAction SilentlyContinue
}

Step "bundle"
$bytes = (Get-ChildItem -Recurse -File $Dist | Measure-Object -Property Length -Sum).Sum
Write-Host ("{0:N0} MB  {1}" -f ($bytes / 1MB), $Dist)
Write-Host "build and checks passed: $Dist"
