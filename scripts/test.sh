#!/usr/bin/env bash
# Builds everything and runs the tests twice: a Release build in build/ (tests, ODR check,
# packaging checks, tools, examples) and an ASan+UBSan build of the tests in build-asan/.
# Exits non-zero if any build or test fails.
#
# Environment: JOBS (default: nproc), XDDP_CUDA=0 to skip compiling the CUDA tests even
# where nvcc exists, XDDP_SKIP_ASAN=1 to run the Release stage only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs=${JOBS:-$(nproc)}
summary=()
failed=0

# stage NAME BUILD_DIR CMAKE_ARGS...: configure, build everything, run ctest.
stage() {
  local name=$1 dir=$2
  shift 2
  local start=$SECONDS result=ok
  echo "=== $name: configure $dir"
  if ! cmake -S . -B "$dir" "$@"; then
    result="configure failed"
  else
    echo "=== $name: build ($jobs jobs)"
    if ! cmake --build "$dir" -j "$jobs"; then
      result="build failed"
    else
      echo "=== $name: ctest"
      ctest --test-dir "$dir" --output-on-failure || result="tests failed"
    fi
  fi
  summary+=("$name: $result ($((SECONDS - start)) s)")
  [ "$result" = ok ] || failed=1
}

release_args=(-DCMAKE_BUILD_TYPE=Release)
# CUDA code must compile and link wherever nvcc is installed (it runs only on a GPU).
nvcc_path=$(command -v nvcc || true)
if [ -z "$nvcc_path" ] && [ -x /usr/local/cuda/bin/nvcc ]; then
  nvcc_path=/usr/local/cuda/bin/nvcc
fi
if [ "${XDDP_CUDA:-1}" != 0 ] && [ -n "$nvcc_path" ]; then
  release_args+=(-DXDDP_CUDA=ON "-DCMAKE_CUDA_COMPILER=$nvcc_path")
fi
stage release build "${release_args[@]}"

if [ "${XDDP_SKIP_ASAN:-0}" != 1 ]; then
  # -O1 keeps the sanitized tests fast enough; no NDEBUG, so assertions are on.
  stage asan build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
    -DXDDP_SANITIZE=ON -DXDDP_BUILD_TOOLS=OFF -DXDDP_BUILD_EXAMPLES=OFF -DXDDP_CUDA=OFF
fi

echo
if [ "$failed" = 0 ]; then
  echo "test.sh: ALL PASSED ($(IFS=";"; echo "${summary[*]}"))"
else
  echo "test.sh: FAILED ($(IFS=";"; echo "${summary[*]}"))"
fi
exit "$failed"
