#pragma once
// Forward declarations of xddp's main types, for headers that only pass them around.

#include <cstddef>

namespace xddp {

class error;
class shape_error;
class unsupported_error;
class format_error;
class value_error;
class io_error;

struct channel_neurons;
struct element_neurons;
struct host;

class tensor_ref;
class any_layer;
class layer_selection;
class graph;
class sequential;
struct node;
struct activations;
struct layer_group;
class thread_pool;

class conv2d;
class linear;
class max_pool2d;
class avg_pool2d;
class adaptive_avg_pool2d;
class batch_norm;
struct add;
struct relu;
struct elu;
struct hardtanh;
struct leaky_relu;
struct flatten;
struct dropout;
struct sigmoid;
struct tanh;
struct silu;
struct gelu;
struct hard_sigmoid;
struct hard_swish;
struct softmax;
struct gate;
struct mul;
class channel_scale;
struct concat;
class channel_slice;
class channel_shuffle;

template <class L>
struct contribution_rule;
template <class L>
struct device_layer;
struct contribution_step;
struct profile;
struct profile_options;

using node_id = std::size_t;

}  // namespace xddp
