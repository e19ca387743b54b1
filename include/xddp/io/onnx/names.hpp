#pragma once
// Layer names for imported ONNX nodes. PyTorch's exporter names a node after the scopes of the modules
// that ran it plus the op: "/layer1/layer1.0/conv1/Conv". Each scope is the module's attribute name,
// except that a child of a Sequential/ModuleList repeats its parent's ("/features/features.0/Conv"), so
// the module path is rebuilt by appending a scope, or only its new suffix when it extends the previous
// scope: layer1 -> layer1.0 -> layer1.0.conv1 and layer2.0.downsample -> layer2.0.downsample.0. This
// header needs no protobuf, so it is tested and fuzzed on its own.

#include <string>
#include <string_view>
#include <vector>

namespace xddp::io::onnx_detail {

// The node name split at '/', empty parts dropped.
inline std::vector<std::string_view> scopes(std::string_view name) {
    std::vector<std::string_view> parts;
    while (!name.empty()) {
        const auto slash = name.find('/');
        const std::string_view part = name.substr(0, slash);
        if (!part.empty()) parts.push_back(part);
        if (slash == std::string_view::npos) break;
        name.remove_prefix(slash + 1);
    }
    return parts;
}

// Whether the name looks like PyTorch's "/scope/.../Op": a leading slash and at least one scope.
inline bool is_scoped_name(std::string_view name) { return name.starts_with('/') && scopes(name).size() >= 2; }

// The module path of a PyTorch-exported node ("/layer1/layer1.0/conv1/Conv" -> "layer1.0.conv1"), or
// "" when the name carries no module scope ("/Flatten", "Relu_3", "").
inline std::string module_path(std::string_view name) {
    if (!is_scoped_name(name)) return {};
    const auto parts = scopes(name);
    std::string path;
    std::string_view previous;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        const std::string_view scope = parts[i];
        if (!previous.empty() && scope.size() > previous.size() + 1 && scope.starts_with(previous) &&
            scope[previous.size()] == '.')
            path += scope.substr(previous.size());  // "downsample.0" after "downsample": append ".0"
        else
            path.append(path.empty() ? "" : ".").append(scope);
        previous = scope;
    }
    return path;
}

// The layer name for a node: its module path when it has one (with `suffix` appended, e.g. ".resnetadd"
// for a residual Add that belongs to a block), else the node name without leading slashes, else "".
inline std::string layer_name(std::string_view node_name, std::string_view suffix = {}) {
    std::string path = module_path(node_name);
    if (!path.empty()) return path + std::string(suffix);
    while (node_name.starts_with('/')) node_name.remove_prefix(1);
    return std::string(node_name);
}

}  // namespace xddp::io::onnx_detail
