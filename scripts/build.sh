#!/usr/bin/env bash
# Build the one-folder program dist/jinguo/ with PyInstaller (build.spec), then check the
# built program itself: its --smoke self-test (with the print preview's PDF rendering), a demo database, and a summary and a roster
# PDF exported headless, each with Chinese text and the embedded WenQuanYi font, and an .xls imported (dry run).
# Exits non-zero when any step fails.
#
# Needs the project installed with the build and test extras in the active Python:
#     pip install -e ".[build,test]"
# Usage: scripts/build.sh [--skip-build]   (--skip-build: check an existing dist/jinguo)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python}"
DIST="dist/jinguo"
BINARY="$DIST/jinguo"

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

if [ "${1:-}" != "--skip-build" ]; then
    step "PyInstaller build"
    started=$(date +%s)
    "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN build.spec
    echo "build took $(( $(date +%s) - started )) s"
fi
[ -x "$BINARY" ] || fail "$BINARY was not built"

# A scratch folder for the data folder, the demo database and the exported files: the
# checks never touch the real data folder of whoever runs the build.
CHECK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/jinguo-build-check.XXXXXX")"
trap 'rm -rf "$CHECK_DIR"' EXIT
export JINGUO_DATA_DIR="$CHECK_DIR/data"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
DB="$CHECK_DIR/demo.db"

step "the bundle has the user manual (帮助 ▸ 使用手册, F1)"
grep -q '巾帼枢纽使用手册' "$DIST/_internal/resources/help/manual.html" || fail "resources/help/manual.html is not bundled"

step "built program: demo database (500 people)"
"$BINARY" demo --db "$DB" --people 500 || fail "jinguo demo"

# The demo database has one operator per role (README); exports log in as its clerk, as an
# office's scheduled export would (IDs masked).
export JINGUO_USER=luru JINGUO_PASSWORD=luru-2025

step "built program: --smoke --print-check"
smoke_output="$("$BINARY" --db "$DB" --smoke --print-check)" || fail "jinguo --smoke --print-check"
echo "$smoke_output"
grep -q '^startup_ms=[0-9]*$' <<<"$smoke_output" || fail "--smoke printed no startup_ms"
grep -q '^print_check=ok$' <<<"$smoke_output" || fail "the print preview's PDF rendering (QtPdf) failed"

step "built program: the login window (--smoke-login) shows, then the file opens behind it"
login_output="$("$BINARY" --db "$DB" --smoke-login)" || fail "jinguo --smoke-login"
echo "$login_output"
grep -q '^login_ms=[0-9]*$' <<<"$login_output" || fail "--smoke-login printed no login_ms"
grep -q '^login_ready_ms=[0-9]*$' <<<"$login_output" || fail "the database did not open behind the login"

step "built program: a signed report package from the county, imported by the city"
mkdir -p "$CHECK_DIR/packages"
JINGUO_USER=admin JINGUO_PASSWORD=admin-2025 "$BINARY" unit set --db "$DB" --name 青禾县妇联 \
    --code 320101 --level county --parent-code 320100 || fail "unit set (county)"
"$BINARY" exchange export --db "$DB" --period 2025 -o "$CHECK_DIR/packages" || fail "exchange export"
env -u JINGUO_USER -u JINGUO_PASSWORD "$BINARY" unit set --db "$CHECK_DIR/city.db" --name 青禾市妇联 \
    --code 320100 --level city || fail "unit set (city)"
import_output="$(env -u JINGUO_USER -u JINGUO_PASSWORD "$BINARY" exchange import --db "$CHECK_DIR/city.db" \
    "$CHECK_DIR/packages" --trust-new)" || fail "exchange import"
echo "$import_output"
grep -q '^\[新\] .*青禾县妇联（320101）2025' <<<"$import_output" || fail "the city did not take the county's package"

step "built program: summary PDF"
"$BINARY" export summary --period 2025 --db "$DB" -o "$CHECK_DIR/summary.pdf" || fail "export summary"
"$PYTHON" scripts/build_check_pdf.py "$CHECK_DIR/summary.pdf" 青禾县 || fail "summary.pdf"

step "built program: volunteer roster PDF"
"$BINARY" export roster --volunteers --db "$DB" -o "$CHECK_DIR/roster.pdf" || fail "export roster"
"$PYTHON" scripts/build_check_pdf.py "$CHECK_DIR/roster.pdf" 花名册 || fail "roster.pdf"

step "built program: import of an old .xls (python-calamine, in its own process)"
import_output="$("$BINARY" import orgs tests/data/legacy-orgs.xls --db "$DB" --dry-run --json --skip-invalid)" \
    || fail "import of an .xls"
echo "$import_output"
grep -q '"rows": 7' <<<"$import_output" || fail "the .xls import did not read the sheet's 7 rows"

step "the program's log has no errors"
if grep -E ' (ERROR|CRITICAL|WARNING) ' "$JINGUO_DATA_DIR/logs/jinguo.log"; then
    fail "the built program logged warnings or errors (above)"
fi

step "bundle"
du -sh "$DIST"
# The office's download and USB stick: the folder stays under 155 MB (on Linux, where the
# bundle carries Qt's ICU data, shrunk by scripts/shrink_icu.py).
size_mb=$(du -sm "$DIST" | cut -f1)
[ "$size_mb" -le 155 ] || fail "dist/jinguo is $size_mb MB, over the 155 MB limit"
echo "build and checks passed: $DIST"
