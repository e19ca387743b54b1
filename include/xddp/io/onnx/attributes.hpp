#pragma once
// A node's attributes, read with their types and ranges checked: an attribute of the wrong type or
// out of range is a format_error naming the node, a missing one gives the op's default.

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/io/onnx/tensor.hpp"
#include "xddp/layers/window.hpp"

namespace xddp::io::onnx_detail {

class node_attributes {
public:
    // `location` names the node in messages ("model.onnx: node '/conv1/Conv' (Conv, opset 13)").
    node_attributes(const pb::NodeProto& node, const std::string& location) : node_(node), location_(location) {}

    const pb::AttributeProto* find(std::string_view name) const {
        for (const auto& a : node_.attribute())
            if (a.name() == name) return &a;
        return nullptr;
    }

    // Exporters may leave the type UNDEFINED when the value's field is set.
    void expect_type(const pb::AttributeProto& a, pb::AttributeProto_AttributeType type, bool has_value,
                     std::string_view type_name) const {
        if (a.type() != type && !(a.type() == pb::AttributeProto_AttributeType_UNDEFINED && has_value))
            throw format_error(location_ + ": attribute '" + a.name() + "' is not of type " + std::string(type_name));
    }

    std::int64_t integer(std::string_view name, std::int64_t fallback) const {
        const auto* a = find(name);
        if (!a) return fallback;
        expect_type(*a, pb::AttributeProto_AttributeType_INT, a->has_i(), "INT");
        return a->i();
    }

    std::optional<float> real(std::string_view name) const {
        const auto* a = find(name);
        if (!a) return std::nullopt;
        expect_type(*a, pb::AttributeProto_AttributeType_FLOAT, a->has_f(), "FLOAT");
        return a->f();
    }

    float finite_real(std::string_view name, float fallback) const {
        const float v = real(name).value_or(fallback);
        if (!std::isfinite(v)) throw format_error(location_ + ": attribute '" + std::string(name) + "' is not finite");
        return v;
    }

    std::optional<std::vector<std::int64_t>> integers(std::string_view name) const {
        const auto* a = find(name);
        if (!a) return std::nullopt;
        expect_type(*a, pb::AttributeProto_AttributeType_INTS, a->ints_size() > 0, "INTS");
        return std::vector<std::int64_t>(a->ints().begin(), a->ints().end());
    }

    std::string text(std::string_view name, std::string fallback) const {
        const auto* a = find(name);
        if (!a) return fallback;
        expect_type(*a, pb::AttributeProto_AttributeType_STRING, a->has_s(), "STRING");
        return a->s();
    }

    // An INT attribute that must be 0 or 1; absent is 0.
    bool flag(std::string_view name) const {
        const std::int64_t v = integer(name, 0);
        if (v != 0 && v != 1)
            throw format_error(location_ + ": attribute '" + std::string(name) + "' is " + std::to_string(v) +
                               ", expected 0 or 1");
        return v == 1;
    }

    // Two extents from an INTS attribute of length 2, each in [min, max_extent].
    pair_t pair(std::string_view name, pair_t fallback, std::int64_t min = 1) const {
        const auto v = integers(name);
        if (!v) return fallback;
        if (v->size() != 2)
            throw unsupported_error(location_ + ": attribute '" + std::string(name) + "' has " + std::to_string(v->size()) +
                                    " values; xddp imports 2-D windows (2 values)");
        for (std::int64_t e : *v)
            if (e < min || e > max_extent)
                throw format_error(location_ + ": attribute '" + std::string(name) + "' holds " + std::to_string(e) +
                                   ", expected " + std::to_string(min) + ".." + std::to_string(max_extent));
        return {static_cast<std::size_t>((*v)[0]), static_cast<std::size_t>((*v)[1])};
    }

    // Padding (top, left, bottom, right) from `pads` or `auto_pad` for a window over spatial size `in`.
    std::array<std::size_t, 4> window_pads(pair_t kernel, pair_t stride, pair_t dilation, pair_t in) const {
        const std::string mode = text("auto_pad", "NOTSET");
        std::array<std::size_t, 4> pads{0, 0, 0, 0};
        if (mode == "NOTSET") {
            const auto p = integers("pads");
            if (!p) return pads;
            if (p->size() != 4)
                throw format_error(location_ + ": attribute 'pads' has " + std::to_string(p->size()) +
                                   " values, expected 4 (top, left, bottom, right)");
            for (std::size_t k = 0; k < 4; ++k) {
                if ((*p)[k] < 0 || (*p)[k] > max_extent)
                    throw format_error(location_ + ": attribute 'pads' holds " + std::to_string((*p)[k]) + ", expected 0.." +
                                       std::to_string(max_extent));
                pads[k] = static_cast<std::size_t>((*p)[k]);
            }
            return pads;
        }
        if (mode == "VALID") return pads;
        if (mode != "SAME_UPPER" && mode != "SAME_LOWER")
            throw format_error(location_ + ": auto_pad '" + mode + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
        for (int d = 0; d < 2; ++d) {
            const std::size_t out = (in[d] + stride[d] - 1) / stride[d];
            const std::size_t extent = dilation[d] * (kernel[d] - 1) + 1;
            const std::size_t covered = (out - 1) * stride[d] + extent;
            const std::size_t needed = covered > in[d] ? covered - in[d] : 0;
            const std::size_t begin = mode == "SAME_UPPER" ? needed / 2 : needed - needed / 2;
            pads[d] = begin;
            pads[d + 2] = needed - begin;
        }
        return pads;
    }

private:
    const pb::NodeProto& node_;
    const std::string& location_;  // the context's, which outlives this reader
};

}  // namespace xddp::io::onnx_detail
