#!/usr/bin/env bash
# The `xddp report` page seen in a real browser: renders reports in headless Chromium (Debian's `chromium`)
# and checks that every figure is drawn (coloured shapes, a size), that no figure, label or table overflows,
# and that the screenshot is not blank. Screenshots and the pages are left in OUT_DIR for people to look at.
#
#   render_report.sh XDDP OUT_DIR [MODEL_DIR DATA_DIR]
#
# Reports: a seeded ResNet18 on two random 224x224 inputs without labels (any model renders), and, given
# MODEL_DIR (models/fashion_mnist) and DATA_DIR (the Fashion-MNIST IDX files), the trained model on the
# first 1000 test images. Exits 77 (a skip for ctest) with a message where Chromium is missing or cannot
# start.
set -euo pipefail
xddp=$1
out=$2
model_dir=${3:-}
data_dir=${4:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out" "$out/resnet18" "$out/fashion_mnist"

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "SKIP: no Chromium to render the report in (Debian: apt-get install chromium; scripts/setup.sh --deps-only installs it)"
  exit 77
fi
flags=(--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --no-first-run
       --user-data-dir="$out/chromium-profile" --window-size=1200,900 --virtual-time-budget=10000)
if ! timeout 60 "$browser" "${flags[@]}" --dump-dom "data:text/html,<p>probe</p>" > "$out/probe.txt" 2> "$out/probe.log" ||
   ! grep -q probe "$out/probe.txt"; then
  echo "SKIP: $browser cannot start headless here (see $out/probe.log)"
  exit 77
fi

failed=0
# check NAME PAGE: the in-page checks, then a full-page screenshot checked for content.
check() {
  local name=$1 page=$2 dir
  dir=$(dirname "$page")
  # The check script goes into a copy beside the page (the figures' links stay valid); the report itself
  # carries no script.
  { sed 's#</body>##; s#</html>##' "$page"; echo "<script>"; cat "$here/check_report.js"; echo "</script></body></html>"; } \
    > "$dir/$name.check.html"
  timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$dir/$name.check.html" > "$out/$name.dom.html" 2> "$out/$name.chromium.log" || true
  local result verdict height
  result=$(python3 - "$out/$name.dom.html" <<'PY'
import html, re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
m = re.findall(r'<pre id="xddp-check">(.*?)</pre>', text, re.S)
print(html.unescape(m[-1]) if m else "height 0\nthe check script did not run (no verdict in the DOM)")
PY
)
  height=$(echo "$result" | head -n 1 | awk '{print $2}')
  verdict=$(echo "$result" | tail -n +2)
  if [[ "$verdict" == ok* ]]; then
    echo "$name: $verdict, page height $height px"
  else
    echo "$name: FAILED"
    echo "$verdict" | sed 's/^/  /'
    failed=1
  fi
  # A screenshot of the whole page (its height as the browser laid it out).
  [ "$height" -ge 900 ] 2> /dev/null || height=900
  [ "$height" -le 30000 ] || height=30000
  timeout 120 "$browser" "${flags[@]}" --window-size=1200,"$height" --screenshot="$out/$name.png" "file://$page" \
    > /dev/null 2> "$out/$name.screenshot.log" || true
  if ! python3 "$here/png_has_content.py" "$out/$name.png"; then
    echo "$name: the screenshot $out/$name.png is missing or blank"
    failed=1
  else
    echo "$name: screenshot $out/$name.png"
  fi
}

# A seeded ResNet18 on two random inputs, no labels.
python3 "$here/random_npy.py" "$out/resnet18_inputs.npy" 2 3 224 224
"$xddp" report resnet18 "$out/resnet18_inputs.npy" --levels 0,0.5 -o "$out/resnet18/report.html" > "$out/resnet18.txt"
check resnet18 "$out/resnet18/report.html"

if [ -n "$model_dir" ]; then
  "$xddp" report "$model_dir/model.onnx" "$data_dir/t10k-images-idx3-ubyte.gz" \
    --labels "$data_dir/t10k-labels-idx1-ubyte.gz" --classes "$model_dir/classes.txt" --limit 1000 \
    --levels 0:0.9:0.3 -o "$out/fashion_mnist/report.html" > "$out/fashion_mnist.txt"
  check fashion_mnist "$out/fashion_mnist/report.html"
fi
exit "$failed"
