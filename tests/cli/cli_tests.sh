#!/usr/bin/env bash
# End-to-end tests of the xddp program: its outputs against the golden data of the reference tools, and
# its errors for bad input (exit status 1, one line naming what is wrong).
#
#   cli_tests.sh XDDP_BINARY SHARED_DIR
#
# Profiles are compared with shared/tools/check_profile.py where python3 exists (that one check is skipped,
# with a message, where it does not). Exits 1 if any case fails.
set -uo pipefail
xddp=$1
shared=$2
golden=$shared/golden
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }

# expect_error NAME TEXT ARGS...: xddp must exit 1 and say TEXT on stderr.
expect_error() {
  local name=$1 text=$2
  shift 2
  local rc=0
  "$xddp" "$@" >"$work/out" 2>"$work/err" || rc=$?
  if [ "$rc" != 1 ]; then fail "$name" "exit status $rc, expected 1 ($(head -c 300 "$work/err"))"
  elif ! grep -qF -- "$text" "$work/err"; then fail "$name" "stderr lacks '$text': $(head -c 300 "$work/err")"
  else pass "$name"; fi
}

# run NAME ARGS...: xddp must succeed.
run() {
  local name=$1
  shift
  if ! "$xddp" "$@" >"$work/out" 2>"$work/err"; then
    fail "$name" "failed: $(tail -c 300 "$work/err")"
    return 1
  fi
}

tiny_vgg="tiny_vgg:$golden/ddp/tiny_vgg/weights"
inputs=$golden/ddp/tiny_vgg/inputs

# 1. Profiles of the golden inputs equal DeepDataProfiler's.
if command -v python3 >/dev/null; then
  for case in "channel 0.1" "element 0.5"; do
    set -- $case
    if run "profile $1 $2" profile "$tiny_vgg" "$inputs/x0.npy" --neurons "$1" --threshold "$2" -o "$work/p.json"; then
      if python3 "$shared/tools/check_profile.py" "$golden/ddp/tiny_vgg/profile_${1}_t${2}_x0.json" "$work/p.json" \
           >"$work/check" 2>&1; then
        pass "profile $1 $2 matches the golden profile"
      else
        fail "profile $1 $2" "$(cat "$work/check")"
      fi
    fi
  done
else
  echo "SKIP profile vs golden: no python3 for shared/tools/check_profile.py"
fi

# 2. Metrics: resnet18's parameter count and MACs (torchvision's published figures, model_stats.json).
if run "summary resnet18" summary resnet18 -o "$work/m.json"; then
  # Metrics are entries {"key", "name", "unit", "value", ...} (FORMATS.md); the value follows its key.
  if grep -A4 '"key": "params"' "$work/m.json" | grep -q '"value": 11689512,' &&
     grep -A4 '"key": "macs"' "$work/m.json" | grep -q '"value": 1814073344,'; then
    pass "summary resnet18 params and MACs"
  else
    fail "summary resnet18" "params/macs differ from 11689512 / 1814073344: $(head -c 400 "$work/m.json")"
  fi
fi
# Another input size works where the model allows it.
run "summary resnet18 112" summary resnet18 --input-shape 2,3,112,112 && pass "summary resnet18 at 2x3x112x112"

# 3. Bad input: one line naming the layer, the shape, what was expected.
expect_error "summary: an input too small names the first layer rejecting it" \
  "input shape (3, 16, 16) does not fit the model: layer 'features.30'" summary vgg16 --input-shape 1,3,16,16
expect_error "summary: wrong channel count names the first conv" "layer 'conv1'" summary resnet18 --input-shape 1,1,224,224
expect_error "summary: malformed --input-shape" "is not a positive extent" summary resnet18 --input-shape 1,x,224,224
expect_error "profile: threshold outside (0, 1]" "outside (0, 1]" profile "$tiny_vgg" "$inputs/x0.npy" --threshold 1.5
expect_error "profile: missing input file" "x9.npy" profile "$tiny_vgg" "$inputs/x9.npy"
expect_error "profile: unknown architecture" "no_such_net" profile no_such_net "$inputs/x0.npy"
printf 'not a numpy file' >"$work/bad.npy"
expect_error "profile: malformed .npy" "bad.npy" profile "$tiny_vgg" "$work/bad.npy"
expect_error "profile: input of the wrong shape" "does not fit" profile "$tiny_vgg" "$golden/metrics/sensitivity/dataset/x_test.npy"

if [ "$failures" = 0 ]; then echo "cli_tests: all passed"; else echo "cli_tests: $failures failed"; fi
[ "$failures" = 0 ]
