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

# expect_exit STATUS NAME TEXT ARGS...: xddp must exit with STATUS and say TEXT in one line on stderr.
expect_exit() {
  local status=$1 name=$2 text=$3
  shift 3
  local rc=0
  "$xddp" "$@" >"$work/out" 2>"$work/err" || rc=$?
  if [ "$rc" != "$status" ]; then fail "$name" "exit status $rc, expected $status ($(head -c 300 "$work/err"))"
  elif [ "$(wc -l <"$work/err")" != 1 ]; then fail "$name" "stderr is not one line: $(head -c 300 "$work/err")"
  elif ! grep -qF -- "$text" "$work/err"; then fail "$name" "stderr lacks '$text': $(head -c 300 "$work/err")"
  else pass "$name"; fi
}
# expect_error NAME TEXT ARGS...: an error in the data (exit status 1).
expect_error() { expect_exit 1 "$@"; }
# expect_usage NAME TEXT ARGS...: a usage error (exit status 2).
expect_usage() { expect_exit 2 "$@"; }

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

# 4. Hostile and edge-case input (issue 16): a named error, never a wrong result, a lost file or unbounded memory.

# write_npy FILE DESCR SHAPE COUNT ELEMENT: a .npy of COUNT copies of ELEMENT (printf escapes of its bytes).
write_npy() {
  local file=$1 descr=$2 shape=$3 count=$4 element=$5
  local dict="{'descr': '$descr', 'fortran_order': False, 'shape': ($shape), }"
  local pad=$(( (64 - (10 + ${#dict} + 1) % 64) % 64 ))
  dict="$dict$(printf '%*s' "$pad" '')"
  local len=$(( ${#dict} + 1 ))
  {
    printf '\x93NUMPY\x01\x00'
    printf "\\$(printf '%03o' $((len & 255)))\\$(printf '%03o' $((len >> 8)))"
    printf '%s\n' "$dict"
    local chunk="" i
    for ((i = 0; i < 256 && i < count; i++)); do chunk="$chunk$element"; done
    for ((i = 0; i + 256 <= count; i += 256)); do printf "$chunk"; done
    for ((; i < count; i++)); do printf "$element"; done
  } >"$file"
}

lenet=$golden/tensorstate/lenet5
sens=$golden/metrics/sensitivity
# 3e38 (float32 e6 b1 61 7f): finite, but the first conv overflows to +Inf.
write_npy "$work/huge.npy" '<f4' '4, 3, 32, 32' 12288 '\xe6\xb1\x61\x7f'
write_npy "$work/labels4.npy" '<i8' '4,' 4 '\x00\x00\x00\x00\x00\x00\x00\x00'
write_npy "$work/empty.npy" '<f4' '0, 3, 32, 32' 0 ''
write_npy "$work/labels0.npy" '<i8' '0,' 0 ''

# 4.1 Non-finite activations stop every run at the layer where they first appear.
expect_error "efficiency: overflowing activations name the layer" "layer 'features.0' (conv2d): its output holds +Inf" \
  efficiency "$tiny_vgg" "$work/huge.npy" --labels "$work/labels4.npy"
expect_error "summary --data: overflowing activations name the layer" "layer 'features.0'" \
  summary "$tiny_vgg" --data "$work/huge.npy" --labels "$work/labels4.npy"
cp -r "$golden/ddp/tiny_vgg/weights" "$work/bad_bn"
write_npy "$work/bad_bn/features.3.running_var.npy" '<f4' '16,' 16 '\x00\x00\x80\xbf'  # -1.0
expect_error "forward: a negative batch-norm variance is invalid weights" "running_var[0] = -1" \
  forward "tiny_vgg:$work/bad_bn" "$inputs/x0.npy"

# 4.2 and 4.3 Outputs: atomic, never to a device, never over an input; a failed run leaves the previous file.
expect_error "sensitivity -o /dev/full is refused before the run" "character device" \
  sensitivity tiny_cnn "$sens/dataset/x_test.npy" "$sens/dataset/y_test.npy" --levels 0,0.5 -o /dev/full
cp "$inputs/x0.npy" "$work/x0.npy"
expect_usage "profile -o naming its own input" "would overwrite the input" profile tiny_vgg "$work/x0.npy" -o "$work/x0.npy"
if cmp -s "$inputs/x0.npy" "$work/x0.npy"; then pass "the input named by -o is untouched"; else fail "input" "overwritten"; fi
printf 'previous\n' >"$work/keep.json"
expect_error "profile: a failing --graphml leaves -o as it was" "does not exist" \
  profile tiny_vgg "$inputs/x0.npy" -o "$work/keep.json" --graphml "$work/no_such_dir/g.graphml"
printf 'a file\n' >"$work/plain"
expect_error "profile: an uncreatable --per-input folder is named" "cannot create the folder" \
  profile tiny_vgg "$inputs/x0.npy" -o "$work/keep.json" --per-input "$work/plain/sub"
if [ "$(cat "$work/keep.json")" = previous ]; then pass "-o untouched by failed runs"; else fail "-o" "replaced"; fi

# Fault injection: with a file-size limit of 0 every subcommand that writes exits 1 and leaves the previous
# output byte for byte (stderr goes to a pipe, which the limit does not cover).
pw=$work/patterns_weights
mkdir -p "$pw" && cp "$golden/patterns/model_and_data/"*.weight.npy "$golden/patterns/model_and_data/"*.bias.npy "$pw/"
fault_cases=(
  "profile|tiny_vgg|$inputs/x0.npy|--graphml|$work/f.graphml|--per-input|$work/f_per_input|-o"
  "summary|tiny_vgg|-o"
  "efficiency|lenet5:$lenet/weights|$lenet/inputs/x.npy|--labels|$lenet/inputs/labels.npy|-o"
  "sensitivity|tiny_cnn|$sens/dataset/x_test.npy|$sens/dataset/y_test.npy|--levels|0,0.5|--plot|$work/f.svg|-o"
  "patterns|patterns_cnn:$pw|$golden/patterns/model_and_data/x_nchw.npy|--plot|$work/fp.svg|--save-patterns|$work/f_patterns|-o"
)
for case in "${fault_cases[@]}"; do
  IFS='|' read -r -a args <<<"$case"
  name="fault injection: ${args[0]} under ulimit -f 0"
  printf 'previous output of %s\n' "${args[0]}" >"$work/fault.out"
  cp "$work/fault.out" "$work/fault.expected"
  rc=0
  msg=$( (ulimit -f 0; exec "$xddp" "${args[@]}" "$work/fault.out" 2>&1 >/dev/null) ) || rc=$?
  if [ "$rc" != 1 ]; then fail "$name" "exit status $rc, expected 1: $(tail -c 300 <<<"$msg")"
  elif ! cmp -s "$work/fault.out" "$work/fault.expected"; then fail "$name" "the previous output changed"
  elif ls -a "$work" | grep -q '\.xddp-.*\.tmp$'; then fail "$name" "a temporary file was left behind"
  elif [ -e "$work/f_per_input" ] || [ -e "$work/f_patterns" ] || [ -e "$work/f.svg" ]; then fail "$name" "a partial output appeared"
  else pass "$name"; fi
done

# 4.4 Checked arithmetic, negative extents.
expect_error "summary: MACs past 64 bits are an error naming the layer" "does not fit in 64 bits" \
  summary tiny_vgg --input-shape 1,3,1000000000,1000000000
expect_error "summary: a negative extent is refused" "'-1' is not a positive extent" summary tiny_vgg --input-shape -1,3,32,32

# 4.5 and the memory bound: under ulimit -v (600 MB) each hostile input gets a clear error, not bad_alloc or a kill.
memory_case() {
  local name=$1 text=$2
  shift 2
  local rc=0 msg
  msg=$( (ulimit -v 600000; exec timeout 300 "$xddp" "$@" 2>&1 >/dev/null) ) || rc=$?
  if [ "$rc" != 1 ]; then fail "$name" "exit status $rc, expected 1: $(tail -c 300 <<<"$msg")"
  elif ! grep -qF -- "$text" <<<"$msg"; then fail "$name" "lacks '$text': $(tail -c 300 <<<"$msg")"
  else pass "$name"; fi
}
memory_case "memory bound: --levels 0:1:1e-12" "expected at most" \
  sensitivity tiny_cnn "$sens/dataset/x_test.npy" "$sens/dataset/y_test.npy" --levels 0:1:1e-12 -o "$work/s.csv"
memory_case "memory bound: --layers past the model" "expected B <= 8" \
  profile tiny_vgg "$inputs/x0.npy" --layers 0:18446744073709551615 -o "$work/p.json"
memory_case "memory bound: /dev/zero as an input" "character device" profile tiny_vgg /dev/zero -o "$work/p.json"
memory_case "memory bound: summary --latency at a huge input" "cannot allocate" \
  summary tiny_vgg --latency --input-shape 1,3,100000,100000
memory_case "memory bound: MACs at a huge input" "64 bits" summary tiny_vgg --input-shape 1,3,1000000000,1000000000
if (ulimit -v 600000; exec timeout 300 "$xddp" profile tiny_vgg "$inputs/x0.npy" --threads 1000000 -o "$work/p.json" >/dev/null 2>&1); then
  pass "memory bound: --threads 1000000 is capped"
else fail "--threads 1000000" "failed"; fi

# 4.6 Numeric edge cases: aIQ in logs, empty batches.
if run "efficiency --beta 1000" efficiency "lenet5:$lenet/weights" "$lenet/inputs/x.npy" --labels "$lenet/inputs/labels.npy" \
     --beta 1000; then
  if grep -q "aIQ: *9.78%" "$work/out"; then pass "aIQ at beta 1000 is 9.78%"; else fail "aIQ beta 1000" "$(grep aIQ "$work/out")"; fi
fi
if run "efficiency --beta 2147483647" efficiency "lenet5:$lenet/weights" "$lenet/inputs/x.npy" \
     --labels "$lenet/inputs/labels.npy" --beta 2147483647 -o "$work/e.json"; then
  if grep -q '"aiq": 0\.' "$work/e.json" && ! grep -q "inf%" "$work/out"; then pass "aIQ at the largest beta is finite"
  else fail "aIQ beta max" "$(grep -i aiq "$work/out" "$work/e.json")"; fi
fi
# sensitivity --parameters: only the named tensors, with Distiller's numbers for them; an unknown one is named.
if run "sensitivity --parameters" sensitivity "tiny_cnn:$sens/weights" "$sens/dataset/x_test.npy" "$sens/dataset/y_test.npy" \
     --levels 0,0.1 --parameters conv1.weight -o "$work/one.csv"; then
  ours=$(awk -F, 'NR > 1 { printf "%s %.1f %.1f %.1f\n", $1, $2, $3, $4 }' "$work/one.csv")
  theirs=$(awk -F, '$1 == "conv1.weight" && ($2 == "0.0" || $2 == "0.1") { printf "%s %.1f %.1f %.1f\n", $1, $2, $3, $4 }' \
           "$sens/sensitivity_element.csv")
  if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then pass "sensitivity --parameters sweeps conv1.weight alone, as Distiller"
  else fail "sensitivity --parameters" "ours: $ours; Distiller: $theirs"; fi
fi
expect_error "sensitivity --parameters names an unknown tensor" "'conv9.weight' is not a weight element pruning can prune" \
  sensitivity "tiny_cnn:$sens/weights" "$sens/dataset/x_test.npy" "$sens/dataset/y_test.npy" --levels 0 --parameters conv9.weight

# The default --attach conv2d,linear on a model without linear layers (SqueezeNet's conv classifier): the
# conv layers are captured and the absent kind is named; an --attach that matches nothing is an error.
fire=$(dirname "${BASH_SOURCE[0]}")/../data/torchvision_blocks/squeezenet_fire
if run "efficiency of a model without linear layers" efficiency "$fire.onnx" "$fire.input.npy" -o "$work/fire.json"; then
  if grep -q "^--attach linear: no layer of that kind" "$work/out" && grep -q '"name": "stem.0_post_states"' "$work/fire.json"
  then pass "efficiency: the default --attach skips the absent linear kind, names it"
  else fail "efficiency --attach default" "$(head -c 400 "$work/out")"; fi
fi
expect_error "efficiency: an --attach that matches nothing" "the attach entries 'linear', 'Dropout' name no layer kind" \
  efficiency "$fire.onnx" "$fire.input.npy" --attach linear,Dropout

expect_error "profile: an empty batch is refused" "holds no sample" profile tiny_vgg "$work/empty.npy" -o "$work/p.json"
expect_error "summary --data: an empty batch is refused" "holds no sample" \
  summary tiny_vgg --data "$work/empty.npy" --labels "$work/labels0.npy"

# 4.7 A fixed ONNX AveragePool stays fixed under a new input shape (where the ONNX reader is built in).
if "$xddp" summary "$golden/ddp/tiny_vgg/model.onnx" >/dev/null 2>&1; then
  expect_error "summary: an ONNX fixed average pool refuses an input size that would change it" "fixed kernel (4, 4)" \
    summary "$golden/ddp/tiny_vgg/model.onnx" --input-shape 1,3,64,64
else
  echo "SKIP ONNX AveragePool: built without the ONNX reader"
fi

# 4.8 Raw C++ errors become named ones.
expect_error "profile: a directory as the input" "is a directory" profile tiny_vgg "$work"
expect_error "compare: a directory as a profile" "is a directory" compare "$work" "$work"
ln -s loop.weight.npy "$work/bad_bn/loop.weight.npy"
expect_error "a symbolic link loop in a weights folder is named" "loop.weight.npy" forward "tiny_vgg:$work/bad_bn" "$inputs/x0.npy"

# 4.9 compare refuses what cannot be compared.
if run "profile channel" profile tiny_vgg "$inputs/x0.npy" -o "$work/a.json" &&
   run "profile element" profile tiny_vgg "$inputs/x0.npy" --neurons element -o "$work/b.json"; then
  expect_error "compare: different neuron types" "different neuron types" compare "$work/a.json" "$work/b.json"
  expect_error "compare: different models, naming the layer" "profiles of different models" \
    compare "$work/a.json" "$golden/ddp/tiny_resnet/profile_channel_t0.1_x0.json"
  printf '{"format":"xddp.profile/1","neuron_type":"channel","threshold":0.1,"num_inputs":0,"layers":[]}' >"$work/empty.json"
  expect_error "compare: the empty profile is named" "profile '$work/empty.json' is an empty profile" \
    compare "$work/a.json" "$work/empty.json"
fi

# 4.10 Command-line conventions: usage errors exit 2 with one line; data errors 1; messages cut short.
expect_usage "an unknown subcommand is named" "unknown subcommand 'frobnicate'" frobnicate
expect_usage "an unknown option" "--bogus" summary tiny_vgg --bogus
expect_usage "--top -1 is refused" "'-1' is not an integer >= 1" forward tiny_vgg "$inputs/x0.npy" --top -1
expect_usage "--beta 0 names its range" "'0' is not an integer from 1 to 2147483647" efficiency tiny_vgg "$inputs/x0.npy" --beta 0
{ printf '{"format":"'; head -c 3000000 /dev/zero | tr '\0' x; printf '"}'; } >"$work/huge.json"
expect_error "a huge JSON string is not echoed whole" "characters)" compare "$work/a.json" "$work/huge.json"
if [ "$(wc -c <"$work/err")" -lt 500 ]; then pass "the message stays short"; else fail "message" "$(wc -c <"$work/err") bytes"; fi

if [ "$failures" = 0 ]; then echo "cli_tests: all passed"; else echo "cli_tests: $failures failed"; fi
[ "$failures" = 0 ]
