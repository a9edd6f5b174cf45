# Build landcomp for Windows: dist\landcomp (landcomp.exe, the desktop app without a console window, and
# landcomp-cli.exe, the `landcomp` command) with the same spec as Linux, then the per-user installer
# dist\landcomp-<version>-setup.exe with Inno Setup.
# UNTESTED: no Windows machine was available when it was written (see README, "Install").
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 -FontPackages <folder>
#
# Needs Python 3.11 (the py launcher), Inno Setup 6 (iscc.exe on PATH or in its default folder), and
# <folder> holding Debian's fonts-wqy-microhei and fonts-hanazono packages (.deb, the versions below;
# `apt-get download fonts-wqy-microhei=0.2.0-beta-3.1 fonts-hanazono=20170904-2.1` on Debian 12 fetches
# them, as the CI workflow does): the bundle carries those fonts, byte for byte the ones a Linux build takes.
param([Parameter(Mandatory = $true)][string]$FontPackages)
$ErrorActionPreference = "Stop"
Set-Location (Resolve-Path (Join-Path $PSScriptRoot "..\.."))

$Fonts = @{
    "fonts-wqy-microhei_0.2.0-beta-3.1_all.deb" = "239163df984eea5c9da3b551aee374936222cdbd67f1a1be3cdcf3d76143ad66"
    "fonts-hanazono_20170904-2.1_all.deb"       = "a6943366b4f5a6cec34221f8b4eb22555a628f0ee6ef4e3d3401cabe9363aeae"
}

function Invoke-Checked([string]$Program, [string[]]$Arguments) {
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Program $Arguments failed with exit code $LASTEXITCODE" }
}

# The fonts: each .deb checked, then unpacked (Windows' tar reads the ar archive and its data.tar.xz).
$FontRoot = Join-Path (Get-Location) "build\fonts"
Remove-Item -Recurse -Force $FontRoot -ErrorAction SilentlyContinue
New-Item -ItemType Directory -Force $FontRoot | Out-Null
foreach ($Name in $Fonts.Keys) {
    $Deb = Join-Path $FontPackages $Name
    $Hash = (Get-FileHash -Algorithm SHA256 $Deb).Hash.ToLower()
    if ($Hash -ne $Fonts[$Name]) { throw "$Deb has SHA-256 $Hash, not $($Fonts[$Name])" }
    $Unpacked = Join-Path "build\debs" $Name
    New-Item -ItemType Directory -Force $Unpacked | Out-Null
    Invoke-Checked "tar" @("-xf", $Deb, "-C", $Unpacked)
    Invoke-Checked "tar" @("-xf", (Join-Path $Unpacked "data.tar.xz"), "-C", $FontRoot)
}
$env:LANDCOMP_FONT_ROOT = $FontRoot

# The build venv, from the same pinned requirements as scripts/build-bundle.sh.
if (-not (Test-Path "build\venv\Scripts\python.exe")) { Invoke-Checked "py" @("-3.11", "-m", "venv", "build\venv") }
Invoke-Checked "build\venv\Scripts\python.exe" @("-m", "pip", "install", "-q", "-r", "packaging\requirements-build.txt")

Remove-Item -Recurse -Force "dist\landcomp" -ErrorAction SilentlyContinue
Invoke-Checked "build\venv\Scripts\pyinstaller.exe" @("--noconfirm", "--log-level", "WARN", "--distpath", "dist",
    "--workpath", "build\pyinstaller", "packaging\landcomp.spec")

$Version = & "build\venv\Scripts\python.exe" -c "import calculator; print(calculator.__version__)"
$Iscc = (Get-Command "iscc.exe" -ErrorAction SilentlyContinue).Source
if (-not $Iscc) { $Iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe" }
Invoke-Checked $Iscc @("/DAppVersion=$Version", "packaging\windows\landcomp.iss")
Write-Output "dist\landcomp-$Version-setup.exe"
