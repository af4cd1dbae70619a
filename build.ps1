# Windows: build the .NET bridge facade against the vendor's Support Library, install the
# package with the dotnet extra, and run the tests.
#
#   .\build.ps1                  # restore the NuGet packages, build, install, test
#   .\build.ps1 -SkipTests       # build and install only
#
# Needs the .NET 8 SDK (https://dot.net) and Python 3.10+ on PATH. The facade project
# (native/facade/MaSupportLib.Bridge.csproj) references the NuGet package
# MA.DataPlatforms.Streaming.Support.Lib.Core; `dotnet build` restores it and copies the
# facade and every assembly it needs into native/bin, where the dotnet backend loads them
# (or set MA_SUPPORT_LIB_DOTNET_DIR). See native/README.md.

param(
    [switch]$SkipTests,
    [string]$Configuration = "Release"
)

$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    throw "The .NET SDK is not installed: get the .NET 8 SDK from https://dot.net"
}

Write-Host "== building native/facade against the Support Library NuGet package"
dotnet build native/facade/MaSupportLib.Bridge.csproj --configuration $Configuration --output native/bin
if ($LASTEXITCODE -ne 0) { throw "dotnet build failed" }

Write-Host "== installing the package with the dotnet extra"
python -m pip install -e ".[test,dotnet]"
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

if (-not $SkipTests) {
    Write-Host "== tests (the dotnet backend uses native/bin)"
    $env:MA_SUPPORT_LIB_DOTNET_DIR = Join-Path $PSScriptRoot "native/bin"
    python -m pytest
    if ($LASTEXITCODE -ne 0) { throw "tests failed" }
}
