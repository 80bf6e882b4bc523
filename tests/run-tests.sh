#!/usr/bin/env bash
# The README's test command: installs prerequisites, runs every test in MusicLocker.Sdk.sln, and prints
# one closing line "N passed, N failed, N skipped" summed from the TRX results. Exits non-zero on any failure.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

bash tests/install-prerequisites.sh || { echo "installing test prerequisites failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
dotnet test MusicLocker.Sdk.sln -c Release --logger "trx" --results-directory "$results" "$@"
status=$?

summary=$(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    for r in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", ns):
        o = r.get("outcome")
        if o == "Passed": passed += 1
        elif o == "NotExecuted": skipped += 1
        else: failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
)
if [ -z "$summary" ]; then summary="0 passed, 1 failed, 0 skipped"; status=1; fi
case "$summary" in *" 0 failed,"*) ;; *) status=1 ;; esac
echo "$summary"
exit $status
