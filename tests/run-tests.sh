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
failures = []
for path in sorted(glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)):
    for r in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", ns):
        o = r.get("outcome")
        if o == "Passed": passed += 1
        elif o == "NotExecuted": skipped += 1
        else:
            failed += 1
            message = r.find("t:Output/t:ErrorInfo/t:Message", ns)
            trace = r.find("t:Output/t:ErrorInfo/t:StackTrace", ns)
            failures.append((r.get("testName"), o,
                             (message.text or "") if message is not None else "",
                             (trace.text or "") if trace is not None else ""))
# Failures are repeated here, next to the closing line, so a log that keeps only its tail still names them.
for name, outcome, message, trace in failures:
    print(f"FAILED ({outcome}): {name}", file=sys.stderr)
    print("  " + message.strip().replace("\n", "\n  ")[:4000], file=sys.stderr)
    print("  " + trace.strip().replace("\n", "\n  ")[:3000], file=sys.stderr)
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
)
if [ -z "$summary" ]; then summary="0 passed, 1 failed, 0 skipped"; status=1; fi
case "$summary" in *" 0 failed,"*) ;; *) status=1 ;; esac
echo "$summary"
exit $status
