#!/usr/bin/env bash
# Installs the Debian packages xddp needs, builds the `xddp` program into build/ and
# runs it once on the bundled tiny_vgg model.
#
#   bash scripts/setup.sh               packages (if missing) + build + one forward pass
#   bash scripts/setup.sh --deps-only   packages only (what CI runs, as root)
#   bash scripts/setup.sh --with-bench  also install libtorch-dev for the benchmarks
set -euo pipefail

deps_only=0
with_bench=0
for arg in "$@"; do
  case "$arg" in
    --deps-only) deps_only=1 ;;
    --with-bench) with_bench=1 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# libonnx-dev + libprotobuf-dev: the ONNX reader (xddp::onnx; protoc helps inspect models);
# clang + libclang-rt-dev: libFuzzer for the readers' fuzz targets in scripts/test.sh;
# libopenmpi-dev + openmpi-bin: the MPI layer (xddp::mpi, --distributed) and its mpirun tests;
# ccache: scripts/test.sh's rebuilds of unchanged sources.
packages=(libxtensor-dev libxtensor-blas-dev libxsimd-dev libopenblas-dev liblapack-dev
          doctest-dev libbenchmark-dev nlohmann-json3-dev libcli11-dev cmake g++ make
          libonnx-dev libprotobuf-dev protobuf-compiler clang libclang-rt-dev
          libopenmpi-dev openmpi-bin ccache)
if [ "$with_bench" = 1 ]; then
  packages+=(libtorch-dev)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  install_cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "setup.sh: missing Debian packages: ${missing[*]}" >&2
    echo "Run as root (or with sudo):" >&2
    echo "  $install_cmd" >&2
    exit 1
  fi
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "setup.sh: all Debian packages present"
fi

if [ "$deps_only" = 1 ]; then
  exit 0
fi

jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build --target xddp_tool -j "$jobs"

build/tools/xddp forward tiny_vgg:models/tiny_vgg/weights models/tiny_vgg/input.npy
echo
build/tools/xddp profile tiny_vgg:models/tiny_vgg/weights models/tiny_vgg/input.npy --threshold 0.1 -o build/profile.json

if [ "$with_bench" = 1 ]; then
  echo
  echo "Benchmarks: cmake -S . -B build-bench -DXDDP_BUILD_BENCHMARKS=ON -DXDDP_BUILD_TESTS=OFF && cmake --build build-bench -j $jobs"
fi
