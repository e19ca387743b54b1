#pragma once
// What load_onnx can be asked to do, and the operator set versions it reads. A header of its own so that
// the import context and the op importers see the options without the loader (io/onnx.hpp).

namespace xddp::io {

struct onnx_options {
    // Name layers by the module path in PyTorch-exported node names; false keeps the node names as they are.
    bool module_names = true;
    // Import an AveragePool that tiles its input exactly as adaptive_avg_pool2d (what PyTorch exported).
    bool adaptive_pools = true;
};

// The default-domain operator set versions the importer reads.
inline constexpr int onnx_min_opset = 11;
inline constexpr int onnx_max_opset = 17;

}  // namespace xddp::io
