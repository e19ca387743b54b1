#pragma once
// ONNX import: load_onnx(path) builds the same xddp::graph the C++ builder builds from a model file.
// Optional: needs Debian's libonnx-dev and libprotobuf-dev; link the CMake target xddp::onnx. The core
// headers never include this one.
//
//   xddp::graph g = xddp::io::load_onnx("model.onnx");
//
// Nodes (opset 11-17): Conv, Gemm, MatMul (+ Add of a bias), Relu, Elu, LeakyRelu, Clip, BatchNormalization,
// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Add (residual), Flatten, Reshape, Dropout,
// Identity, and the shape plumbing PyTorch exports around view/flatten (Constant, Shape, Gather, Unsqueeze,
// Squeeze, Concat, Cast), which is folded at import. Anything else is an unsupported_error naming the node,
// its op type and the opset; a malformed, truncated or hostile file is a format_error (never a crash or
// an allocation the file's own size does not justify).
//
// What the import does beyond a literal translation, and why:
// - Layers are named by the PyTorch module path recovered from node names ("/layer1/layer1.0/conv1/Conv"
//   -> "layer1.0.conv1", see io/onnx/names.hpp); a residual Add in block "layer1.0" is
//   "layer1.0.resnetadd", DeepDataProfiler's name for it. Clashes get "_1", "_2", ... appended.
// - Flatten and Reshape are views: no node is added for them unless a layer that cares about the shape
//   (conv, pool, batch norm, add, the model output) reads the reshaped tensor. A linear layer flattens its
//   input itself, so the Flatten PyTorch exports before a classifier disappears, as in the C++ models.
// - An AveragePool whose windows tile its input exactly (stride = kernel, no padding) is what PyTorch
//   exports for AdaptiveAvgPool2d; it becomes adaptive_avg_pool2d (onnx_options::adaptive_pools).
// - Gemm's transB = 0, alpha and beta are applied to the weights at import; MatMul followed by the Add of
//   a constant becomes one linear layer with that bias.
// - Nodes that do not feed the model output are skipped.
//
// How it is built: io/onnx/importer.hpp walks the nodes and looks each op type up in a table of op
// importers (io/onnx/op_registry.hpp), one function per op type in its own header under io/onnx/ops/,
// all listed in io/onnx/ops.hpp. They share the import's state through onnx_import_context
// (io/onnx/import_context.hpp). A program imports an op type of its own, mapped to its own layer,
// by registering an importer, without editing xddp:
//
//   xddp::io::register_onnx_op("ScaledTanh", [](xddp::io::onnx_import_context& ctx, const onnx::NodeProto& n) {
//       ctx.import_elementwise(n, [&] { return scaled_tanh{ctx.attributes(n).finite_real("scale", 1.0f)}; });
//   });

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#if __has_include(<sys/mman.h>) && __has_include(<fcntl.h>) && __has_include(<unistd.h>)
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#define XDDP_ONNX_MMAP 1
#else
#define XDDP_ONNX_MMAP 0
#endif

#include "xddp/core/error.hpp"
#include "xddp/io/onnx/importer.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/ops.hpp"
#include "xddp/io/onnx/options.hpp"

namespace xddp::io {

// Builds a graph from the bytes of an ONNX model file held in memory. External tensor data is read from
// `model_dir` (and must stay inside it); without a folder, a model with external data is a format_error.
// `where` names the model in messages.
inline graph load_onnx_from_memory(std::span<const char> bytes, const onnx_options& options = {},
                                   const std::filesystem::path& model_dir = {}, const std::string& where = "<memory>") {
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw format_error(where + ": " + std::to_string(bytes.size()) +
                           " bytes exceed protobuf's 2 GiB message limit; keep the weights as external data");
    onnx_detail::pb::ModelProto model;
    if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        throw format_error(where + ": not an ONNX model (the protobuf message does not parse; truncated or another format)");
    return onnx_detail::importer(model, bytes.size(), where, model_dir, options).run();
}

namespace onnx_detail {

// The bytes of a model file, memory-mapped where the system can (no zero-filled buffer and no copy: the
// page cache's own pages, read ahead at once), else read into memory.
class model_file {
public:
    model_file(const std::filesystem::path& path, std::size_t size) : size_(size) {
        const std::string where = path.string();
#if XDDP_ONNX_MMAP
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw io_error("cannot open '" + where + "': " + std::strerror(errno));
        if (size_ > 0) {
            void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
            if (p != MAP_FAILED) mapped_ = static_cast<const char*>(p);
        }
        ::close(fd);
        if (mapped_ || size_ == 0) return;
#endif
        bytes_.resize(size_);
        std::ifstream in(path, std::ios::binary);
        if (!in || !in.read(bytes_.data(), static_cast<std::streamsize>(size_))) throw io_error("cannot read '" + where + "'");
    }
    model_file(const model_file&) = delete;
    model_file& operator=(const model_file&) = delete;
    ~model_file() {
#if XDDP_ONNX_MMAP
        if (mapped_) ::munmap(const_cast<char*>(mapped_), size_);
#endif
    }

    std::span<const char> bytes() const { return mapped_ ? std::span<const char>(mapped_, size_) : std::span<const char>(bytes_); }

private:
    std::size_t size_;
    const char* mapped_ = nullptr;
    std::vector<char> bytes_;
};

}  // namespace onnx_detail

// Builds a graph from an ONNX model file (opset 11-17); external data files are looked up next to it.
inline graph load_onnx(const std::filesystem::path& path, const onnx_options& options = {}) {
    namespace fs = std::filesystem;
    const std::string where = path.string();
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw io_error("cannot open '" + where + "': no such file");
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec) throw io_error("cannot read the size of '" + where + "': " + ec.message());
    if (size > static_cast<std::uintmax_t>(std::numeric_limits<int>::max()))
        throw format_error(where + ": " + std::to_string(size) +
                           " bytes exceed protobuf's 2 GiB message limit; keep the weights as external data");
    const onnx_detail::model_file file(path, static_cast<std::size_t>(size));
    const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    return load_onnx_from_memory(file.bytes(), options, folder, where);
}

}  // namespace xddp::io
