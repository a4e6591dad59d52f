#!/usr/bin/env bash
# complaintkit — set up, build, and run on a fresh Debian 12 machine.
#
#   ./dev.sh run    install what is needed, build, run the main job on the embedded defaults
#   ./dev.sh test   install what is needed, build, run every test (also under ASan+UBSan)
#
# Packages come from Debian only (no PyPI). Python is Debian's /usr/bin/python3.
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  build-essential cmake ninja-build pkg-config binutils tzdata
  libboost1.81-dev libboost-json1.81-dev libboost-date-time1.81-dev
  libsqlite3-dev libhyperscan-dev libopencc-dev opencc
  catch2 pybind11-dev libbenchmark-dev
  python3 python3-dev python3-pytest python3-numpy python3-pandas python3-jsonschema
)
PY=/usr/bin/python3
JOBS=$(nproc 2>/dev/null || echo 2)
BUILD=${CK_BUILD_DIR:-build/release}
ASAN_BUILD=${CK_ASAN_BUILD_DIR:-build/asan}

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

configure_build() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="${CK_BUILD_TYPE:-Release}" \
        -DPython3_EXECUTABLE=$PY "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

main_job() {
  if [ -x "$BUILD/src/cli/complaintkit" ]; then
    "$BUILD/src/cli/complaintkit" demo --out "$BUILD/demo"
  else
    "$BUILD/examples/ck_demo" examples/data/complaints.jsonl
  fi
}

case "${1:-}" in
  run)
    install_packages
    configure_build "$BUILD" -DCK_BUILD_PYTHON=ON
    main_job
    ;;
  test)
    install_packages
    configure_build "$BUILD" -DCK_BUILD_PYTHON=ON -DCK_WERROR=ON
    echo "== tests (release build: C++, C, Python, install/consumers)"
    ctest --test-dir "$BUILD" -j "$JOBS" --output-on-failure
    echo "== tests under AddressSanitizer + UndefinedBehaviorSanitizer (C++ and C)"
    CK_BUILD_TYPE=Debug configure_build "$ASAN_BUILD" -DCK_BUILD_PYTHON=OFF -DCK_SANITIZE=ON -DCK_WERROR=ON
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir "$ASAN_BUILD" -j "$JOBS" --output-on-failure -L 'cpp|c'
    echo "== all tests passed"
    ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
