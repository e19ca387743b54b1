#pragma once
// Div(x, sqrt 2) -> Erf -> Add 1 -> Mul x -> Mul 0.5, nn.GELU() as torch.onnx.export writes it at the
// opsets xddp imports, -> one gelu of x. The Div starts the pattern and each later node continues it as
// the driver reaches it (onnx_import_context::set_pending_output), so the constants PyTorch writes just
// before each node are checked there. Either operand order of Add and Mul is accepted; the constants must
// be PyTorch's exactly. A node that breaks the pattern, and a Div of an activation anywhere else, is an
// unsupported_error naming the node; a Div of two constants (shape plumbing) folds (ops/arithmetic.hpp).

#include <string>
#include <string_view>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/ops/arithmetic.hpp"
#include "xddp/layers/gelu.hpp"

namespace xddp::io::onnx_detail {

inline constexpr std::string_view gelu_pattern = "GELU's erf form (Div(x, sqrt 2) -> Erf -> Add 1 -> Mul x -> Mul 0.5)";

// Whether input i of n is a one-element FLOAT constant equal to want.
inline bool constant_equals(onnx_import_context& ctx, const pb::NodeProto& n, int i, float want) {
    if (ctx.is_activation(n, i)) return false;
    const constant_ptr c = ctx.constant_input(n, i, "operand");
    return c->is_float && c->size() == 1 && c->f[0] == want;
}

// Imports the node that reads the pattern's value so far (`inner`), which must be its step `next`.
struct gelu_continuation {
    view x;              // the activation the pattern starts from
    std::string x_name;  // its ONNX name, which the Mul x step must read
    std::string inner;
    int next;  // 0: Erf, 1: Add 1, 2: Mul x, 3: Mul 0.5

    void operator()(onnx_import_context& ctx, const pb::NodeProto& n) const {
        static constexpr std::string_view ops[] = {"Erf", "Add", "Mul", "Mul"};
        static constexpr std::string_view steps[] = {"Erf", "Add 1", "Mul x", "Mul 0.5"};
        const auto broken = [&] {
            return unsupported_error(ctx.location() + ": reads '" + inner + "', an inner value of " + std::string(gelu_pattern) +
                                     ", but is not its next step, " + std::string(steps[next]) +
                                     " (with PyTorch's constants); xddp imports these nodes only as that whole pattern");
        };
        if (n.op_type() != ops[next]) throw broken();
        ctx.expect_single_output(n);
        if (next == 0) {
            ctx.expect_inputs(n, 1, 1);
        } else {
            ctx.expect_inputs(n, 2, 2);
            if ((n.input(0) == inner) == (n.input(1) == inner)) throw broken();
            const int other = n.input(0) == inner ? 1 : 0;
            const bool fits = next == 2 ? n.input(other) == x_name : constant_equals(ctx, n, other, next == 1 ? 1.0f : 0.5f);
            if (!fits) throw broken();
        }
        if (next == 3) {
            ctx.emit_elementwise(n, gelu{}, x);
            return;
        }
        ctx.set_pending_output(n, std::string(gelu_pattern), gelu_continuation{x, x_name, n.output(0), next + 1});
    }
};

inline void import_gelu_div(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 2, 2);
    ctx.expect_single_output(n);
    if (!ctx.is_activation(n, 0) && !ctx.is_activation(n, 1))
        return ctx.set_output(n, fold_arithmetic(ctx, n));  // shape plumbing (ops/arithmetic.hpp)
    const view x = ctx.activation(n, 0);
    constexpr float sqrt2 = 1.41421356237309504880f;  // as PyTorch writes it: 1.41421354
    if (!constant_equals(ctx, n, 1, sqrt2))
        throw unsupported_error(ctx.location() + ": divides by '" + n.input(1) + "'; xddp imports Div only as the start of " +
                                std::string(gelu_pattern) + ", an activation divided by the constant sqrt 2");
    ctx.set_pending_output(n, std::string(gelu_pattern), gelu_continuation{x, n.input(0), n.output(0), 0});
}

inline const bool gelu_registered = register_builtin_op({"Div"}, import_gelu_div);

}  // namespace xddp::io::onnx_detail
