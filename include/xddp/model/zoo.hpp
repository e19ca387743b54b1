#pragma once
// The model zoo: built-in architectures by name, for the command line and for users without a model file.

#include <array>
#include <string>
#include <string_view>

#include "xddp/core/error.hpp"
#include "xddp/model/zoo/alexnet.hpp"
#include "xddp/model/zoo/lenet5.hpp"
#include "xddp/model/zoo/lenet5_classic.hpp"
#include "xddp/model/zoo/mobilenet_v2.hpp"
#include "xddp/model/zoo/patterns_cnn.hpp"
#include "xddp/model/zoo/resnet.hpp"
#include "xddp/model/zoo/resnet50.hpp"
#include "xddp/model/zoo/tiny_cnn.hpp"
#include "xddp/model/zoo/vgg.hpp"

namespace xddp::zoo {

inline constexpr std::array<std::string_view, 11> names = {"tiny_vgg", "tiny_resnet", "lenet5", "vgg16", "resnet18",
                                                           "tiny_cnn", "resnet50", "alexnet", "mobilenet_v2",
                                                           "lenet5_classic", "patterns_cnn"};

// The architecture called name, with zero weights (load or seed them next).
inline graph build(std::string_view name) {
    if (name == "tiny_vgg") return tiny_vgg();
    if (name == "tiny_resnet") return tiny_resnet();
    if (name == "lenet5") return lenet5();
    if (name == "vgg16") return vgg16();
    if (name == "resnet18") return resnet18();
    if (name == "resnet50") return resnet50();
    if (name == "alexnet") return alexnet();
    if (name == "mobilenet_v2") return mobilenet_v2();
    if (name == "lenet5_classic") return lenet5_classic();
    if (name == "tiny_cnn") return tiny_cnn();
    if (name == "patterns_cnn") return patterns_cnn();
    std::string known;
    for (auto n : names) known += (known.empty() ? "" : ", ") + std::string(n);
    throw unsupported_error("unknown architecture '" + std::string(name) + "'; built-in ones are: " + known);
}

}  // namespace xddp::zoo
