#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line: "N passed, N failed, N skipped".
# Installs what it needs first, so that it works on a fresh machine of this kind (and in CI).
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null; then
  echo "dotnet (SDK 10) is needed: https://dot.net" >&2
  exit 2
fi
# Graphviz renders the plan graph to SVG; MPICH runs the multi-process tests; Debian's PyTorch is the reference the
# agreement tests compare with; Debian's onnx checks every exported model. Without them those tests skip, saying so.
missing=""
command -v dot >/dev/null || missing="$missing graphviz"
command -v mpiexec.mpich >/dev/null || missing="$missing mpich"
/usr/bin/python3 -c "import torch" >/dev/null 2>&1 || missing="$missing python3-torch"
/usr/bin/python3 -c "import onnx" >/dev/null 2>&1 || missing="$missing python3-onnx"
if [ -n "$missing" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing) >/dev/null 2>&1 \
    || echo "could not install$missing; the tests that need it will be skipped" >&2
fi
# Real data for the tests that need it (MNIST); the tests skip visibly where it is absent.
export ONEFLOW_DATA="${ONEFLOW_DATA:-$(cd .. && pwd)/shared/data}"

results=TestResults
rm -rf "$results"
dotnet build OneFlow.Dsl.sln -c Release -v quiet -nologo || exit 1
dotnet test OneFlow.Dsl.sln -c Release --no-build -nologo -v quiet \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results"
status=$?

projects=$(ls tests/*.Tests/*.Tests.csproj | wc -l)
python3 - "$results" "$projects" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
reports = glob.glob(sys.argv[1] + "/*.trx")
if len(reports) != int(sys.argv[2]):
    failed += 1
    print(f"expected a test report from each of {sys.argv[2]} test projects, found {len(reports)}", file=sys.stderr)
for path in reports:
    counters = ET.parse(path).getroot().find(".//{*}Counters")
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    # A skipped test is counted in "total" but not in "executed" (its "notExecuted" counter stays 0).
    skipped += int(counters.get("total", 0)) - int(counters.get("executed", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
