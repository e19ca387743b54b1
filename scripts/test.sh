#!/usr/bin/env bash
# Builds everything and runs the tests twice: a Release build in build/ (tests, ODR check,
# packaging checks, tools, examples) and an ASan+UBSan build of the tests in build-asan/;
# then fuzzes the .npy, ONNX, profile JSON and MPI byte readers for a fixed time each (build-fuzz/) where clang has libFuzzer.
# Exits non-zero if any build or test fails, or the fuzzers find a crash.
#
# Environment: JOBS (default: nproc), XDDP_CUDA=0 to skip compiling the CUDA tests even
# where nvcc exists, XDDP_SKIP_ASAN=1 to run the Release stage only, XDDP_SKIP_FUZZ=1 to skip
# fuzzing, XDDP_CCACHE=0 to compile without ccache where it is installed, XDDP_FUZZ_SECONDS (default 20) per fuzz target, XDDP_SHARED for the golden data
# (default: shared/ in or beside the checkout; its small .onnx models seed the ONNX fuzzer).
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
  if ! cmake -S . -B "$dir" "${launcher[@]}" "$@"; then
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

# ccache, where installed (setup.sh installs it), makes a rebuild of unchanged sources a cache hit; the
# compiler still sees every flag, so results are the same. XDDP_CCACHE=0 turns it off.
launcher=()
if [ "${XDDP_CCACHE:-1}" != 0 ] && command -v ccache > /dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

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
  # -O1 keeps the sanitized tests fast enough; -g1 (line tables, no variables) names every frame of a
  # report and compiles a third faster than -g; no NDEBUG, so assertions are on.
  stage asan build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" \
    -DXDDP_SANITIZE=ON -DXDDP_BUILD_TOOLS=OFF -DXDDP_BUILD_EXAMPLES=OFF -DXDDP_CUDA=OFF
fi

# fuzz_stage: build the libFuzzer targets with clang and run each for XDDP_FUZZ_SECONDS.
fuzz_stage() {
  local start=$SECONDS result=ok dir=build-fuzz seconds=${XDDP_FUZZ_SECONDS:-20}
  local clang
  clang=$(command -v clang++ || command -v clang++-14 || true)
  if [ -z "$clang" ]; then
    echo "=== fuzz: skipped, no clang++ (Debian: apt-get install clang libclang-rt-dev)"
    summary+=("fuzz: skipped (no clang++)")
    return
  fi
  mkdir -p "$dir"
  if ! printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' |
       "$clang" -fsanitize=fuzzer -x c++ - -o "$dir/libfuzzer_probe" 2>/dev/null; then
    echo "=== fuzz: skipped, $clang cannot link -fsanitize=fuzzer (Debian: apt-get install libclang-rt-dev)"
    summary+=("fuzz: skipped (no libFuzzer)")
    return
  fi
  echo "=== fuzz: configure $dir with $clang"
  if ! cmake -S fuzz -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_COMPILER=$clang"; then
    result="configure failed"
  elif ! cmake --build "$dir" -j "$jobs"; then
    result="build failed"
  else
    local shared=${XDDP_SHARED:-}
    if [ -z "$shared" ]; then
      if [ -d shared/golden ]; then shared=shared; elif [ -d ../shared/golden ]; then shared=../shared; fi
    fi
    mkdir -p "$dir/corpus/npy" "$dir/corpus/onnx" "$dir/artifacts"
    cp fuzz/corpus/npy/*.npy "$dir/corpus/npy/"
    local flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024
                 -print_final_stats=1 -artifact_prefix="$dir/artifacts/")
    echo "=== fuzz: fuzz_npy for $seconds s"
    "$dir/fuzz_npy" "${flags[@]}" -dict=fuzz/npy.dict "$dir/corpus/npy" || result="fuzz_npy crashed (see $dir/artifacts)"
    # The profile JSON reader and the MPI byte formats, from their committed seeds.
    for target in profile_json mpi_bytes; do
      mkdir -p "$dir/corpus/$target"
      cp fuzz/corpus/$target/* "$dir/corpus/$target/"
      echo "=== fuzz: fuzz_$target for $seconds s"
      "$dir/fuzz_$target" "${flags[@]}" "$dir/corpus/$target" || result="fuzz_$target crashed (see $dir/artifacts)"
    done
    if [ -x "$dir/fuzz_onnx" ]; then
      "$dir/make_onnx_seeds" "$dir/corpus/onnx"
      # The golden models, referenced from the shared folder (too large to copy into fuzz/corpus).
      if [ -n "$shared" ]; then
        for model in ddp/tiny_vgg ddp/tiny_resnet metrics/sensitivity; do
          if [ -f "$shared/golden/$model/model.onnx" ]; then
            install -m 644 "$shared/golden/$model/model.onnx" "$dir/corpus/onnx/${model//\//_}.onnx"
          fi
        done
      fi
      echo "=== fuzz: fuzz_onnx for $seconds s"
      "$dir/fuzz_onnx" "${flags[@]}" -dict=fuzz/onnx.dict "$dir/corpus/onnx" ||
        result="fuzz_onnx crashed (see $dir/artifacts)"
    else
      echo "=== fuzz: fuzz_onnx not built (no ONNX reader)"
    fi
  fi
  summary+=("fuzz: $result ($((SECONDS - start)) s)")
  [ "$result" = ok ] || failed=1
}

if [ "${XDDP_SKIP_FUZZ:-0}" != 1 ]; then
  fuzz_stage
fi

echo
if [ "$failed" = 0 ]; then
  echo "test.sh: ALL PASSED ($(IFS=";"; echo "${summary[*]}"))"
else
  echo "test.sh: FAILED ($(IFS=";"; echo "${summary[*]}"))"
fi
exit "$failed"
