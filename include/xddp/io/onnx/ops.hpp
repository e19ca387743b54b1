#pragma once
// Every built-in ONNX op importer: the one list of them. Each header registers its importer for its op
// type(s) in the op table (io/onnx/op_registry.hpp) when the program starts. A new operator is a new
// header in io/onnx/ops/ (copy ops/relu.hpp for an element-wise one) and one line here.

// Layers
#include "xddp/io/onnx/ops/add.hpp"
#include "xddp/io/onnx/ops/batch_norm.hpp"
#include "xddp/io/onnx/ops/concat.hpp"
#include "xddp/io/onnx/ops/conv.hpp"
#include "xddp/io/onnx/ops/gemm.hpp"
#include "xddp/io/onnx/ops/global_pool.hpp"
#include "xddp/io/onnx/ops/matmul.hpp"
#include "xddp/io/onnx/ops/mul.hpp"
#include "xddp/io/onnx/ops/pad.hpp"
#include "xddp/io/onnx/ops/pool.hpp"
#include "xddp/io/onnx/ops/reduce.hpp"

// Element-wise
#include "xddp/io/onnx/ops/clip.hpp"
#include "xddp/io/onnx/ops/dropout.hpp"
#include "xddp/io/onnx/ops/elu.hpp"
#include "xddp/io/onnx/ops/gelu.hpp"
#include "xddp/io/onnx/ops/hard_sigmoid.hpp"
#include "xddp/io/onnx/ops/hard_swish.hpp"
#include "xddp/io/onnx/ops/identity.hpp"
#include "xddp/io/onnx/ops/leaky_relu.hpp"
#include "xddp/io/onnx/ops/relu.hpp"
#include "xddp/io/onnx/ops/sigmoid.hpp"
#include "xddp/io/onnx/ops/softmax.hpp"
#include "xddp/io/onnx/ops/tanh.hpp"

// Channel routing
#include "xddp/io/onnx/ops/slice.hpp"
#include "xddp/io/onnx/ops/split.hpp"
#include "xddp/io/onnx/ops/transpose.hpp"

// Views of activations and constants
#include "xddp/io/onnx/ops/flatten.hpp"
#include "xddp/io/onnx/ops/reshape.hpp"
#include "xddp/io/onnx/ops/squeeze.hpp"

// Shape plumbing folded at import
#include "xddp/io/onnx/ops/arithmetic.hpp"
#include "xddp/io/onnx/ops/cast.hpp"
#include "xddp/io/onnx/ops/constant.hpp"
#include "xddp/io/onnx/ops/constant_of_shape.hpp"
#include "xddp/io/onnx/ops/gather.hpp"
#include "xddp/io/onnx/ops/shape.hpp"
