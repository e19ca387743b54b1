#!/usr/bin/env bash
# Runs the xddp program on torchvision's classification CNNs (issue 15) and prints a Markdown table.
#
#   bash scripts/check_torchvision.sh                   every model of `check_torchvision.py list`
#   bash scripts/check_torchvision.sh resnet18 mobilenet_v2 ...
#
# For each model: exports it with torch (random weights, seed 0, randomised BatchNorm statistics, eval mode,
# opset 13, batch 1, 224x224; Inception v3 299x299) with torch's logits for one fixed input, then runs
#   xddp summary      (import time, parameters, MACs; compared with torchvision's published GFLOPS)
#   xddp forward      (forward time, max |logit - torch|)
#   xddp efficiency   (conv and linear layers)
#   xddp profile      --neurons channel and --neurons element (time, JSON size, validate_profile.py)
#   xddp sensitivity  --levels 0,0.5 on three weight tensors (the first, middle and last conv/linear layer),
#                     with torch's prediction as the label: top-1 at sparsity 0 must be 100
# A step that fails or runs out of time is reported in the table by its first error line; the next step and
# the next model go on. Exits 0 when the table is printed, whatever the models did.
#
# Environment:
#   XDDP          the xddp program (default build/tools/xddp; build it with
#                 `cmake --build build -j2 --target xddp_tool`)
#   PYTHON        a python with Debian's python3-torch, python3-torchvision, python3-onnx (default /usr/bin/python3)
#   WORK          folder for the exports, outputs and logs (default a fresh temporary folder, removed at the
#                 end unless KEEP=1; the ONNX files of the big models take hundreds of MB)
#   STEP_TIMEOUT  seconds per xddp step (default 600); SENSITIVITY_TIMEOUT for the sweep (default 300)
#   STEPS         which steps to run (default "summary forward efficiency profile sensitivity")
#   VALIDATE      shared/tools/validate_profile.py (default ../shared/tools/validate_profile.py, else
#                 shared/tools/validate_profile.py inside the checkout)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

xddp=${XDDP:-build/tools/xddp}
python=${PYTHON:-/usr/bin/python3}
step_timeout=${STEP_TIMEOUT:-600}
sensitivity_timeout=${SENSITIVITY_TIMEOUT:-300}
steps=${STEPS:-summary forward efficiency profile sensitivity}
helper=scripts/check_torchvision.py
validate=${VALIDATE:-}
if [ -z "$validate" ]; then
  for v in ../shared/tools/validate_profile.py shared/tools/validate_profile.py; do
    [ -f "$v" ] && validate=$v && break
  done
fi

if [ ! -x "$xddp" ]; then
  echo "check_torchvision.sh: no xddp program at '$xddp' (build it: cmake --build build -j2 --target xddp_tool, or set XDDP)" >&2
  exit 2
fi
if ! "$python" -c 'import torch, torchvision, onnx' 2>/dev/null; then
  echo "check_torchvision.sh: '$python' lacks torch/torchvision/onnx (apt-get install python3-torch python3-torchvision python3-onnx)" >&2
  exit 2
fi

if [ -n "${WORK:-}" ]; then
  work=$WORK
  mkdir -p "$work"
else
  work=$(mktemp -d -t xddp_torchvision.XXXXXX)
  [ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
fi

if [ $# -gt 0 ]; then models=("$@"); else mapfile -t models < <("$python" "$helper" list); fi

now() { date +%s.%N; }

# run NAME STEP TIMEOUT CMD...: runs one step, its output in $work/NAME.STEP.log; records STEP_s (wall seconds)
# and, on failure, STEP_error (the first error line) in $work/NAME.times.
run() {
  local name=$1 step=$2 limit=$3
  shift 3
  local log="$work/$name.$step.log" start rc
  start=$(now)
  timeout "$limit" "$@" >"$log" 2>&1
  rc=$?
  echo "${step}_s=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')" >>"$work/$name.times"
  if [ $rc -ne 0 ]; then
    local why
    if [ $rc -eq 124 ]; then why="timed out after ${limit}s"; else
      why=$(grep -m1 -iE 'error|exception|unsupported|Traceback' "$log" || tail -n1 "$log")
      why="exit $rc: ${why}"
    fi
    echo "${step}_error=$(echo "$why" | tr '\n|' '  ' | cut -c1-300)" >>"$work/$name.times"
  fi
  return $rc
}

for name in "${models[@]}"; do
  echo "=== $name" >&2
  rm -f "$work/$name.times"
  onnx="$work/$name.onnx"
  if ! run "$name" export 1800 "$python" "$helper" export "$name" "$work"; then
    continue
  fi
  for step in $steps; do
    case $step in
      summary)
        run "$name" summary "$step_timeout" "$xddp" summary "$onnx" -o "$work/$name.summary.json" || break
        # torchvision publishes EfficientNet's GFLOPS at its own resolution: the MACs at that size too.
        published=$("$python" "$helper" published-size "$work/$name.meta.json")
        if [ -n "$published" ]; then
          run "$name" summary_published "$step_timeout" "$xddp" summary "$onnx" --input-shape "1,3,$published,$published" \
            -o "$work/$name.summary_published.json"
        fi ;;
      forward) run "$name" forward "$step_timeout" "$xddp" forward "$onnx" "$work/$name.input.npy" --top 100000 ;;
      efficiency) run "$name" efficiency "$step_timeout" "$xddp" efficiency "$onnx" "$work/$name.input.npy" \
                    -o "$work/$name.efficiency.json" ;;
      profile)
        for neurons in channel element; do
          profile="$work/$name.profile_$neurons.json"
          if run "$name" "profile_$neurons" "$step_timeout" "$xddp" profile "$onnx" "$work/$name.input.npy" \
               --neurons "$neurons" -o "$profile" && [ -n "$validate" ]; then
            "$python" "$validate" "$profile" >"$work/$name.validate_$neurons.log" 2>&1
            echo "validate_${neurons}=$(head -c 200 "$work/$name.validate_$neurons.log" | tr '\n|' '  ')" >>"$work/$name.times"
          fi
          [ -f "$profile" ] && echo "profile_${neurons}_bytes=$(stat -c %s "$profile")" >>"$work/$name.times"
          rm -f "$profile"  # an element profile of a big model is hundreds of MB
        done ;;
      sensitivity)
        "$python" "$helper" labels "$work/$name.output.npy" "$work/$name.labels.npy"
        run "$name" sensitivity "$sensitivity_timeout" "$xddp" sensitivity "$onnx" "$work/$name.input.npy" \
          "$work/$name.labels.npy" --levels 0,0.5 -o "$work/$name.sensitivity.csv" \
          --parameters "$("$python" "$helper" sweep "$work/$name.summary.json")" ;;
      *) echo "check_torchvision.sh: unknown step '$step'" >&2; exit 2 ;;
    esac
  done
  [ "${KEEP:-0}" = 1 ] || rm -f "$onnx"  # keep the disk use to one model's export at a time
  "$python" "$helper" report "$work" "$name" | tail -n1 >&2
done

"$python" "$helper" report "$work" "${models[@]}"
