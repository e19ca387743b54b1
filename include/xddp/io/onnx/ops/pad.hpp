#pragma once
// Pad with zeros (constant mode, value 0) on H and W only, directly in front of a Conv or an AveragePool:
// folded into that op's padding (specs/ddp.md section 9). PyTorch exports AvgPool2d(count_include_pad=True)
// with padding as Pad + AveragePool: the padded zeros count in the divisor, so the fold keeps
// count_include_pad on. Refused with an unsupported_error naming the node: a Pad read by anything else or by
// more than one node, a non-zero value, another mode, padding of N or C, negative pads (cropping), and a Pad
// before a MaxPool (a max pool pads with -inf, so zeros would be a different pool).

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"

namespace xddp::io::onnx_detail {

// A Pad waiting for its reader: the unpadded input and the pads (top, left, bottom, right).
struct folded_pad {
    view source;
    std::array<std::size_t, 4> pads{};
};
struct pad_folds {
    std::unordered_map<std::string, folded_pad> by_output;
};

// The zero Pad that feeds input 0 of the node (a Conv or an AveragePool), if any.
inline const folded_pad* folded_pad_of(onnx_import_context& ctx, const pb::NodeProto& n) {
    const auto& folds = ctx.state<pad_folds>().by_output;
    const auto it = n.input_size() > 0 ? folds.find(n.input(0)) : folds.end();
    return it == folds.end() ? nullptr : &it->second;
}

// The spatial extent (H, W) of the input as the op after a folded Pad sees it.
inline pair_t padded_extent(const shape_t& in, const folded_pad* pad) {
    if (!pad) return {in[1], in[2]};
    return {in[1] + pad->pads[0] + pad->pads[2], in[2] + pad->pads[1] + pad->pads[3]};
}

// An op's own pads (top, left, bottom, right) plus those of the Pad folded into it.
inline void add_folded_pads(std::array<std::size_t, 4>& pads, const folded_pad* pad) {
    if (pad)
        for (std::size_t k = 0; k < 4; ++k) pads[k] += pad->pads[k];
}

inline void import_pad(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 2, 3);  // data, pads, constant_value (opset 11 to 17)
    const std::string mode = ctx.attributes(n).text("mode", "constant");
    if (mode != "constant")
        throw unsupported_error(ctx.location() + ": pads in mode '" + mode + "'; xddp folds only zero padding (mode 'constant')");
    if (const auto value = scalar_input(ctx, n, 2, "constant_value"); value && *value != 0.0f)
        throw unsupported_error(ctx.location() + ": pads with the value " + std::to_string(*value) +
                                "; xddp folds only zero padding into the Conv or AveragePool that follows");
    const view x = ctx.activation(n, 0);  // a copy: set_output changes the value table
    const std::vector<std::int64_t> pads = int_vector(ctx, *ctx.constant_input(n, 1, "pads"), "pads");
    const std::size_t rank = x.shape.size() + 1;
    if (pads.size() != 2 * rank)
        throw format_error(ctx.location() + ": 'pads' has " + std::to_string(pads.size()) + " entries for an input of " +
                           std::to_string(rank) + " dimensions, expected " + std::to_string(2 * rank));
    for (const std::int64_t p : pads)
        if (p < 0 || p > max_extent)
            throw unsupported_error(ctx.location() + ": pads by " + std::to_string(p) +
                                    "; xddp folds only zero padding of 0.." + std::to_string(max_extent) + " (no cropping)");
    if (rank != 4 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0)
        throw unsupported_error(ctx.location() + ": pads (N, " + xddp::to_string(x.shape).substr(1) +
                                " on axes other than H and W; xddp folds only zero padding of H and W of (N, C, H, W)");
    // Its one reader must be a Conv or AveragePool reading it as its input.
    const std::string& out = n.output(0);
    const auto readers = ctx.reader_nodes(out);
    if (ctx.readers(out) != 1 || readers.size() != 1 || readers[0]->input(0) != out)
        throw unsupported_error(ctx.location() + ": its output is read by " + std::to_string(ctx.readers(out)) +
                                " inputs (or is the model output); xddp folds a zero Pad only into the one Conv or "
                                "AveragePool that reads it");
    const std::string& op = readers[0]->op_type();
    if (op == "MaxPool")
        throw unsupported_error(ctx.location() + ": a zero Pad before the MaxPool '" + readers[0]->name() +
                                "'; a max pool pads with -inf, so xddp cannot fold zeros into it");
    if (op != "Conv" && op != "AveragePool")
        throw unsupported_error(ctx.location() + ": its output is read by the " + op + " node '" + readers[0]->name() +
                                "'; xddp folds a zero Pad only into a Conv or an AveragePool");
    const node_id source = ctx.materialize(x);
    const shape_t& s = ctx.shape_of(source);
    const auto at = [&](std::size_t k) { return static_cast<std::size_t>(pads[k]); };
    ctx.state<pad_folds>().by_output[out] = {view{source, s, {}}, {at(2), at(3), at(6), at(7)}};
    // The padded shape, seen by no one but the folding reader.
    ctx.set_output(n, view{source, {s[0], s[1] + at(2) + at(6), s[2] + at(3) + at(7)}, ctx.base_name(n)});
}

inline const bool pad_registered = register_builtin_op({"Pad"}, import_pad);

}  // namespace xddp::io::onnx_detail
