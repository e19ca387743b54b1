#!/usr/bin/python3
"""Exports torchvision's classification CNNs to ONNX and describes what torch writes.

Helper of scripts/check_torchvision.sh; needs Debian's python3-torch, python3-torchvision, python3-onnx
(torch 1.13 / torchvision 0.14), run with /usr/bin/python3 (a pyenv python3 does not see them).

  check_torchvision.py list                      the model names the zoo check covers, one a line
  check_torchvision.py export NAME DIR           DIR/NAME.onnx, NAME.input.npy (1x3xSxS, a fixed input),
                                                 NAME.output.npy (torch's logits), NAME.meta.json
                                                 (export seconds, parameters, published GFLOPS)
  check_torchvision.py survey FILE.onnx...       the ONNX op types and the node patterns that matter
                                                 to xddp's importer, as Markdown
  check_torchvision.py labels OUT.npy LABELS.npy torch's predicted classes as int64 labels
  check_torchvision.py published-size META.json the input size of torchvision's published GFLOPS where it
                                                 differs from the exported one (EfficientNet), else nothing
  check_torchvision.py sweep SUMMARY.json        the weight tensors the sensitivity step sweeps: the first,
                                                 middle and last conv/linear layers of xddp's summary
  check_torchvision.py report DIR NAME...        the Markdown table of check_torchvision.sh from DIR

Random weights (seed 0) with randomised BatchNorm statistics, eval mode, opset 13, batch 1, 224x224
(Inception v3: 299x299). Nothing is downloaded.
"""

import collections
import csv
import json
import re
import sys
import time

import numpy as np

# Every classification CNN of torchvision 0.14 (and ViT-B/16 for the record), in a cheap-first order.
MODELS = [
    "alexnet", "vgg11", "vgg11_bn", "vgg16_bn", "resnet18", "resnet34", "resnet50", "resnext50_32x4d",
    "wide_resnet50_2", "densenet121", "googlenet", "inception_v3", "squeezenet1_0", "squeezenet1_1",
    "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large",
    "mnasnet0_5", "mnasnet1_0", "efficientnet_b0", "efficientnet_b3", "efficientnet_b7", "efficientnet_v2_s",
    "efficientnet_v2_m", "efficientnet_v2_l", "regnet_x_400mf", "regnet_y_400mf", "convnext_tiny", "vit_b_16",
]

# GFLOPS (multiply-adds, in billions) torchvision's model pages publish for the ImageNet weights
# (IMAGENET1K_V1 unless noted; V2 weights evaluate the same network at the same size except where the
# page says otherwise). torchvision 0.14's weights enums do not carry them (its meta has no '_ops').
PUBLISHED_GFLOPS = {
    "alexnet": 0.71, "vgg11": 7.61, "vgg11_bn": 7.61, "vgg13": 11.31, "vgg13_bn": 11.31, "vgg16": 15.47,
    "vgg16_bn": 15.47, "vgg19": 19.63, "vgg19_bn": 19.63, "resnet18": 1.81, "resnet34": 3.66,
    "resnet50": 4.09, "resnet101": 7.8, "resnet152": 11.51, "resnext50_32x4d": 4.23,
    "resnext101_32x8d": 16.41, "resnext101_64x4d": 15.46, "wide_resnet50_2": 11.4,
    "wide_resnet101_2": 22.75, "densenet121": 2.83, "densenet161": 7.73, "densenet169": 3.36,
    "densenet201": 4.29, "googlenet": 1.5, "inception_v3": 5.71, "squeezenet1_0": 0.82,
    "squeezenet1_1": 0.35, "shufflenet_v2_x0_5": 0.04, "shufflenet_v2_x1_0": 0.14,
    "shufflenet_v2_x1_5": 0.3, "shufflenet_v2_x2_0": 0.58, "mobilenet_v2": 0.3,
    "mobilenet_v3_small": 0.06, "mobilenet_v3_large": 0.22, "mnasnet0_5": 0.1, "mnasnet0_75": 0.21,
    "mnasnet1_0": 0.31, "mnasnet1_3": 0.53, "efficientnet_b0": 0.39, "efficientnet_b1": 0.69,
    "efficientnet_b2": 1.09, "efficientnet_b3": 1.83, "efficientnet_b4": 4.39, "efficientnet_b5": 10.27,
    "efficientnet_b6": 19.07, "efficientnet_b7": 37.75, "efficientnet_v2_s": 8.37,
    "efficientnet_v2_m": 24.58, "efficientnet_v2_l": 56.08, "regnet_x_400mf": 0.41, "regnet_y_400mf": 0.4,
    "convnext_tiny": 4.46, "vit_b_16": 17.56,
}

# The published GFLOPS of these models are at another input size than the one exported here.
PUBLISHED_SIZE = {"efficientnet_b1": 240, "efficientnet_b2": 288, "efficientnet_b3": 300, "efficientnet_b4": 380,
                  "efficientnet_b5": 456, "efficientnet_b6": 528, "efficientnet_b7": 600,
                  "efficientnet_v2_s": 384, "efficientnet_v2_m": 480, "efficientnet_v2_l": 480}


def input_size(name):
    return 299 if name == "inception_v3" else 224


def randomise_batch_norms(model, generator):
    """Non-trivial BatchNorm statistics, so that folding BN into the convolution is exercised (fresh
    ones are the identity up to eps)."""
    import torch
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            n = module.num_features
            with torch.no_grad():
                module.running_mean.copy_(torch.randn(n, generator=generator) * 0.1)
                module.running_var.copy_(torch.rand(n, generator=generator) * 0.5 + 0.75)
                if module.affine:
                    module.weight.copy_(torch.rand(n, generator=generator) * 0.5 + 0.75)
                    module.bias.copy_(torch.randn(n, generator=generator) * 0.1)


def build_model(name):
    import torch
    import torchvision
    torch.manual_seed(0)
    kwargs = {}
    if name in ("googlenet", "inception_v3"):
        # The ImageNet weights set transform_input=True (torchvision's builders do it only with weights):
        # keep the input rescaling in the graph, since that is what users of the published weights export.
        kwargs = {"aux_logits": False, "transform_input": True, "init_weights": True}
    model = torchvision.models.get_model(name, weights=None, **kwargs)
    randomise_batch_norms(model, torch.Generator().manual_seed(1))
    return model.eval()


def graph_params(onnx_path):
    """The parameters the exported graph holds, counted per layer as torch counts them: the float
    initializers (an Identity of one resolved to it) each Conv, Gemm, MatMul, Add and Mul reads, once per
    node that reads them; BatchNormalization's scale and bias (not its running statistics); and the float
    Constants an Add or Mul applies to an activation (transform_input's x * a + b), which xddp keeps as
    channel_scale parameters. The shared tensors of one layer count once per layer that reads them."""
    import onnx
    m = onnx.load(onnx_path)
    sizes = {t.name: int(np.prod(t.dims)) for t in m.graph.initializer if t.data_type == onnx.TensorProto.FLOAT}
    alias, constants = {}, {}
    for n in m.graph.node:
        if n.op_type == "Identity" and n.input[0] in sizes:
            alias[n.output[0]] = n.input[0]
        elif n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value" and a.t.data_type == onnx.TensorProto.FLOAT:
                    constants[n.output[0]] = int(np.prod(a.t.dims))
    total = 0
    for n in m.graph.node:
        if n.op_type == "BatchNormalization":
            total += 2 * sizes[alias.get(n.input[1], n.input[1])]
        elif n.op_type in ("Conv", "Gemm", "MatMul", "Add", "Mul"):
            for i in n.input:
                name = alias.get(i, i)
                if name in sizes:
                    total += sizes[name]
                elif n.op_type in ("Add", "Mul") and name in constants:
                    total += constants[name]
    return total


def export(name, out_dir):
    import torch
    model = build_model(name)
    size = input_size(name)
    x = torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        logits = model(x)
    onnx_path = f"{out_dir}/{name}.onnx"
    start = time.perf_counter()
    torch.onnx.export(model, x, onnx_path, opset_version=13, input_names=["input"], output_names=["logits"])
    seconds = time.perf_counter() - start
    np.save(f"{out_dir}/{name}.input.npy", x.numpy())
    np.save(f"{out_dir}/{name}.output.npy", logits.numpy())
    meta = {"model": name, "input_size": size, "export_s": round(seconds, 2),
            "params": sum(p.numel() for p in model.parameters()),
            "graph_params": graph_params(onnx_path),
            "published_gflops": PUBLISHED_GFLOPS.get(name),
            "published_size": PUBLISHED_SIZE.get(name, size)}
    with open(f"{out_dir}/{name}.meta.json", "w") as f:
        json.dump(meta, f)
    print(json.dumps(meta))


# ---------------------------------------------------------------------------------------------- survey

def attr_dict(node):
    import onnx.helper
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def short(value):
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        return "[" + ",".join(short(v) for v in value) + "]"
    return str(value)


class Graph:
    def __init__(self, path):
        import onnx
        import onnx.numpy_helper
        self.model = onnx.load(path)
        g = self.model.graph
        self.nodes = list(g.node)
        self.init = {t.name: onnx.numpy_helper.to_array(t) for t in g.initializer}
        for n in self.nodes:
            if n.op_type == "Constant":
                for a in n.attribute:
                    if a.name == "value":
                        self.init[n.output[0]] = onnx.numpy_helper.to_array(a.t)
        self.producer = {o: n for n in self.nodes for o in n.output}
        self.consumers = collections.defaultdict(list)
        for n in self.nodes:
            for i in n.input:
                self.consumers[i].append(n)
        self.graph_inputs = {i.name for i in g.input} - set(self.init)
        try:
            inferred = onnx.shape_inference.infer_shapes(self.model)
            self.shapes = {}
            for v in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
                dims = v.type.tensor_type.shape.dim
                self.shapes[v.name] = [d.dim_value if d.HasField("dim_value") else "?" for d in dims]
        except Exception:  # noqa: BLE001 - shapes only decorate the report
            self.shapes = {}

    def op(self, name):
        n = self.producer.get(name)
        if n is None:
            return "initializer" if name in self.init else "input"
        return n.op_type

    def const(self, name):
        """The value of a constant input, else the op type that computes it (a Shape arithmetic, say)."""
        value = self.init.get(name)
        return f"<{self.op(name)}>" if value is None else value.tolist()

    def shape(self, name):
        return self.shapes.get(name, "?")


def describe(g, n):
    """One line naming what a node is, with the attributes and constant inputs that decide its meaning."""
    a = attr_dict(n)
    t = n.op_type
    ins = [g.op(i) for i in n.input if i] or ["-"]
    if t in ("Conv",):
        w = g.init.get(n.input[1])
        k = "x".join(str(s) for s in w.shape[2:]) if w is not None else "?"
        return (f"Conv k{k} s{short(a.get('strides', [1]))} p{short(a.get('pads', [0]))} "
                f"g{a.get('group', 1)} d{short(a.get('dilations', [1]))}" + (" +bias" if len(n.input) > 2 else ""))
    if t in ("AveragePool", "MaxPool"):
        return (f"{t} k{short(a.get('kernel_shape'))} s{short(a.get('strides', [1]))} p{short(a.get('pads', [0]))}"
                f" ceil={a.get('ceil_mode', 0)}" + (f" count_include_pad={a.get('count_include_pad', 0)}"
                                                    if t == "AveragePool" else ""))
    if t == "Pad":
        return f"Pad mode={short(a.get('mode', b'constant'))} pads={g.const(n.input[1])} from {ins[0]}"
    if t == "Reshape":
        return f"Reshape to {g.const(n.input[1])} from {ins[0]} {g.shape(n.input[0])}"
    if t == "Transpose":
        return f"Transpose perm={short(a.get('perm'))} from {ins[0]}"
    if t == "Split":
        sizes = g.const(n.input[1]) if len(n.input) > 1 else a.get("split")
        return f"Split axis={a.get('axis', 0)} sizes={sizes} outputs={len(n.output)} of {g.shape(n.input[0])}"
    if t == "Slice":
        consts = [g.const(i) for i in n.input[1:]]
        return f"Slice starts,ends,axes,steps={consts} of {g.shape(n.input[0])} from {ins[0]}"
    if t == "Gather":
        return f"Gather axis={a.get('axis', 0)} indices={g.const(n.input[1])} of {g.shape(n.input[0])}"
    if t == "Concat":
        return f"Concat axis={a.get('axis')} inputs={len(n.input)} ({','.join(sorted(set(ins)))})"
    if t in ("ReduceMean", "ReduceMax"):
        return f"{t} axes={short(a.get('axes'))} keepdims={a.get('keepdims', 1)} of {g.shape(n.input[0])} from {ins[0]}"
    if t == "Flatten":
        return f"Flatten axis={a.get('axis', 1)} from {ins[0]} {g.shape(n.input[0])}"
    if t == "Gemm":
        return f"Gemm transB={a.get('transB', 0)} alpha={a.get('alpha', 1.0)} beta={a.get('beta', 1.0)} from {ins[0]}"
    if t == "HardSigmoid":
        return f"HardSigmoid alpha={short(a.get('alpha', 0.2))} beta={short(a.get('beta', 0.5))}"
    if t in ("Mul", "Add", "Div", "Sub"):
        parts = []
        for i in n.input:
            c = g.init.get(i)
            if c is not None:
                parts.append(f"const{list(c.shape)}" + (f"={short(c.reshape(-1).tolist())}" if c.size <= 3 else ""))
            else:
                parts.append(g.op(i))
        return f"{t}({', '.join(parts)})"
    if t == "Identity":
        return f"Identity of {ins[0]}"
    if t == "Unsqueeze":
        return f"Unsqueeze axes={g.const(n.input[1]) if len(n.input) > 1 else a.get('axes')} from {ins[0]}"
    return t


def activation_patterns(g):
    """Names the element-wise compositions torch writes for SiLU, hard-swish, GELU and SE gates."""
    found = collections.Counter()
    for n in g.nodes:
        if n.op_type == "Mul" and len(n.input) == 2:
            a, b = n.input
            for x, y in ((a, b), (b, a)):
                p = g.producer.get(y)
                if p is None:
                    continue
                if p.op_type == "Sigmoid" and p.input[0] == x:
                    found["SiLU = Mul(x, Sigmoid(x))"] += 1
                elif p.op_type == "HardSigmoid" and p.input[0] == x:
                    found[f"hard-swish = Mul(x, {describe(g, p)}(x))"] += 1
                elif p.op_type in ("Sigmoid", "HardSigmoid") and g.op(x) != "initializer":
                    chain = []
                    q = p
                    while q is not None and q.op_type not in ("GlobalAveragePool", "ReduceMean") and len(chain) < 6:
                        chain.append(describe(g, q) if q.op_type in ("HardSigmoid",) else q.op_type)
                        q = g.producer.get(q.input[0])
                    if q is not None and q.op_type in ("GlobalAveragePool", "ReduceMean"):
                        chain.append(describe(g, q) if q.op_type == "ReduceMean" else q.op_type)
                        found["SE gate = Mul(x, " + " <- ".join(chain) + " <- x)"] += 1
                    else:
                        found[f"gate Mul(x, {p.op_type}(other))"] += 1
        if n.op_type == "Erf":
            div = g.producer.get(n.input[0])
            found[f"GELU: Erf({describe(g, div)}) then "
                  + " -> ".join(describe(g, c) for c in g.consumers[n.output[0]])] += 1
    return found


def survey(paths):
    for path in paths:
        g = Graph(path)
        name = path.rsplit("/", 1)[-1].removesuffix(".onnx")
        counts = collections.Counter(n.op_type for n in g.nodes)
        print(f"### {name}\n")
        print(f"- {len(g.nodes)} nodes, {len(g.init)} initializers/constants; ops: "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        patterns = collections.Counter()
        for n in g.nodes:
            if n.op_type in ("Relu", "Sigmoid", "Erf", "Constant", "Shape"):
                continue
            if n.op_type == "Conv":
                d = describe(g, n)
                if " g1 " in d or "d[1,1]" not in d:
                    # ordinary convolutions: only the ones with a dilation or a fed-by-Pad are of note
                    if g.op(n.input[0]) != "Pad" and "d[1,1]" in d:
                        continue
                patterns[d + f" from {g.op(n.input[0])}"] += 1
                continue
            if n.op_type in ("Add",) and all(i not in g.init for i in n.input):
                patterns[f"Add({', '.join(g.op(i) for i in n.input)})"] += 1
                continue
            patterns[describe(g, n)] += 1
        for n in g.nodes:
            # what feeds the graph output, and what the graph input goes through first
            if n.output[0] in {o.name for o in g.model.graph.output}:
                patterns[f"graph output from {describe(g, n)}"] += 1
        for i in g.graph_inputs:
            for c in g.consumers[i]:
                patterns[f"graph input feeds {describe(g, c)}"] += 1
        for k, v in sorted(activation_patterns(g).items()):
            patterns[k] = v
        idents = [n for n in g.nodes if n.op_type == "Identity"]
        if idents:
            feeds = collections.Counter(f"{g.op(n.input[0])} -> " + ",".join(c.op_type for c in g.consumers[n.output[0]])
                                        for n in idents)
            patterns["Identity nodes (shared weights): " + "; ".join(f"{k} x{v}" for k, v in feeds.items())] = len(idents)
        # Reshape-Transpose-Reshape (channel shuffle)
        for n in g.nodes:
            if n.op_type == "Transpose":
                p = g.producer.get(n.input[0])
                cs = g.consumers[n.output[0]]
                if p is not None and p.op_type == "Reshape" and cs and cs[0].op_type == "Reshape":
                    patterns[f"channel shuffle: {describe(g, p)} -> {describe(g, n)} -> Reshape to "
                             f"{g.const(cs[0].input[1])}"] += 1
        print("- patterns (count, description):")
        for k, v in sorted(patterns.items()):
            print(f"  - {v} x `{k}`")
        print()


# ---------------------------------------------------------------------------------------------- report

def read_times(path):
    """The key=value lines check_torchvision.sh writes per model (STEP_s, STEP_error, validate_*, ...)."""
    times = {}
    try:
        with open(path) as f:
            for line in f:
                key, _, value = line.rstrip("\n").partition("=")
                times[key] = value
    except FileNotFoundError:
        pass
    return times


def forward_logits(log_path, classes):
    """The logits `xddp forward --top N` prints (class, logit, probability rows; 6 decimals), by class."""
    logits = np.full(classes, np.nan)
    row = re.compile(r"^\s*(\d+)\s+(-?[0-9.]+(?:e[-+]?\d+)?)\s+[0-9.]+\s*$")
    forward_ms = None
    with open(log_path) as f:
        for line in f:
            m = row.match(line)
            if m and int(m.group(1)) < classes:
                logits[int(m.group(1))] = float(m.group(2))
            m = re.match(r"forward pass: ([0-9.]+) ms", line)
            if m:
                forward_ms = float(m.group(1))
    return logits, forward_ms


def metric(summary, key):
    for m in summary.get("metrics", []):
        if m.get("key") == key:
            return m.get("value")
    return None


def report_row(work, name):
    t = read_times(f"{work}/{name}.times")
    cells = {"model": name}
    errors = [f"{k.removesuffix('_error')}: {v}" for k, v in t.items() if k.endswith("_error")]
    try:
        with open(f"{work}/{name}.meta.json") as f:
            meta = json.load(f)
    except FileNotFoundError:
        meta = {}
    cells["export s"] = t.get("export_s", "")
    cells["import s"] = t.get("summary_s", "") if "summary_error" not in t else ""
    torch_params = meta.get("params")
    published = meta.get("published_gflops")
    at = meta.get("published_size")
    cells["GFLOPS published"] = "" if published is None else (
        f"{published}" + ("" if at == meta.get("input_size") else f" @{at}"))
    try:
        with open(f"{work}/{name}.summary.json") as f:
            summary = json.load(f)
        params, macs = metric(summary, "params"), metric(summary, "macs")
        graph = meta.get("graph_params")
        same = "" if graph is None else ("= graph" if graph == params else f"graph {graph}")
        cells["params (torch)"] = f"{params} ({same}; torch {torch_params / 1e6:.3f}M)" if params else ""
        cells["GMACs"] = f"{macs / 1e9:.3f}" if macs else ""
        try:
            with open(f"{work}/{name}.summary_published.json") as f:
                at_published = metric(json.load(f), "macs")
            cells["GMACs"] += f" ({at_published / 1e9:.3f} @{at})" if at_published else ""
        except (FileNotFoundError, ValueError):
            pass
    except (FileNotFoundError, ValueError):
        cells["params (torch)"] = "" if torch_params is None else f"- ({torch_params / 1e6:.3f}M)"
        cells["GMACs"] = ""
    cells["forward ms"] = cells["max abs logit err"] = ""
    if "forward_s" in t and "forward_error" not in t:
        expected = np.load(f"{work}/{name}.output.npy").astype(np.float64)[0]
        ours, forward_ms = forward_logits(f"{work}/{name}.forward.log", expected.size)
        cells["forward ms"] = "" if forward_ms is None else f"{forward_ms:.0f}"
        if np.isnan(ours).any():
            cells["max abs logit err"] = f"{int(np.isnan(ours).sum())} logits missing"
        else:
            err = np.max(np.abs(ours - expected))
            cells["max abs logit err"] = f"{err:.2g} (of {np.max(np.abs(expected)):.3g})"
    cells["efficiency s"] = t.get("efficiency_s", "") if "efficiency_error" not in t else "fail"
    for neurons in ("channel", "element"):
        ok = f"profile_{neurons}_error" not in t and f"profile_{neurons}_s" in t
        cells[f"profile s {neurons[:2]}"] = t.get(f"profile_{neurons}_s", "") if ok else ""
        size = t.get(f"profile_{neurons}_bytes")
        cells[f"profile MB {neurons[:2]}"] = f"{int(size) / 1e6:.2f}" if ok and size else ""
        v = t.get(f"validate_{neurons}", "")
        cells[f"validate {neurons[:2]}"] = "ok" if v.startswith("OK") else (v[:60] if v else "")
    cells["sensitivity s"] = ""
    if "sensitivity_s" in t and "sensitivity_error" not in t:
        try:
            with open(f"{work}/{name}.sensitivity.csv") as f:
                rows = list(csv.DictReader(f))
            at_zero = [float(r["top1"]) for r in rows if float(r["sparsity"]) == 0.0]
            cells["sensitivity s"] = (f"{t['sensitivity_s']} ({len(at_zero)} tensors, top1@0 "
                                      f"{'100' if at_zero and min(at_zero) == 100.0 else min(at_zero, default='-')})")
        except (FileNotFoundError, KeyError, ValueError) as e:
            cells["sensitivity s"] = f"{t['sensitivity_s']} (csv: {e})"
    # The first line of each failure, without the program's prefix and the list of the ops xddp imports.
    errors = [re.sub(r"; xddp imports .*", "", re.sub(r"xddp: error: \S+\.onnx: ", "", e)) for e in errors]
    cells["error"] = "; ".join(errors).replace("|", "/")
    return cells


COLUMNS = ["model", "export s", "import s", "forward ms", "max abs logit err", "params (torch)", "GMACs",
           "GFLOPS published", "efficiency s", "profile s ch", "profile s el", "profile MB ch", "profile MB el",
           "validate ch", "validate el", "sensitivity s", "error"]


def report(work, names):
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for name in names:
        cells = report_row(work, name)
        print("| " + " | ".join(str(cells.get(c, "")) for c in COLUMNS) + " |")


def labels(output_path, labels_path):
    """torch's predicted classes as int64 labels, for xddp sensitivity (its top-1 at sparsity 0 is then the
    share of inputs on which xddp predicts as torch does)."""
    np.save(labels_path, np.argmax(np.load(output_path), axis=1).astype(np.int64))


def published_size(meta_path):
    with open(meta_path) as f:
        meta = json.load(f)
    if meta.get("published_size") != meta.get("input_size"):
        print(meta["published_size"])


def sweep(summary_path):
    """A few weight tensors for xddp sensitivity --parameters: the first, middle and last conv/linear layer
    (a full sweep of EfficientNet-B7 is hundreds of tensors)."""
    with open(summary_path) as f:
        layers = [layer["name"] for layer in json.load(f)["layers"] if layer["kind"] in ("conv2d", "linear")]
    picked = sorted({0, len(layers) // 2, len(layers) - 1}) if layers else []
    print(",".join(f"{layers[k]}.weight" for k in picked))


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    command = argv[1]
    if command == "list":
        print("\n".join(MODELS))
    elif command == "export" and len(argv) == 4:
        export(argv[2], argv[3])
    elif command == "survey" and len(argv) >= 3:
        survey(argv[2:])
    elif command == "labels" and len(argv) == 4:
        labels(argv[2], argv[3])
    elif command == "published-size" and len(argv) == 3:
        published_size(argv[2])
    elif command == "sweep" and len(argv) == 3:
        sweep(argv[2])
    elif command == "report" and len(argv) >= 4:
        report(argv[2], argv[3:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
