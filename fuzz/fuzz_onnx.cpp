// libFuzzer target for the ONNX reader: any bytes give a graph or an xddp::error, never a crash, a leak
// or an allocation the bytes do not justify. A graph that loads is also grouped into profile layers and,
// when its forward pass is cheap, run once on zeros, so that whatever the importer accepts the layers
// can run.

#include <cstddef>
#include <cstdint>
#include <span>

#include <xddp/io/onnx.hpp>
#include <xddp/model/layer_groups.hpp>

namespace {

// Rough multiply-adds of one forward pass of one sample, saturating.
double forward_work(const xddp::graph& g) {
    double work = 0.0;
    for (const auto& n : g.nodes()) {
        const double out = static_cast<double>(xddp::element_count(n.shape));
        work += out;
        if (!n.layer) continue;
        if (const auto* c = n.layer->get_if<xddp::conv2d>())
            work += out * static_cast<double>(c->weight().size() / c->options().out_channels);
        else if (const auto* l = n.layer->get_if<xddp::linear>())
            work += out * static_cast<double>(l->options().in_features);
        else if (const auto* m = n.layer->get_if<xddp::max_pool2d>())
            work += out * static_cast<double>(m->window().kernel[0] * m->window().kernel[1]);
        else if (const auto* a = n.layer->get_if<xddp::avg_pool2d>())
            work += out * static_cast<double>(a->window().kernel[0] * a->window().kernel[1]);
        else if (n.layer->kind() == "adaptive_avg_pool2d")
            work += static_cast<double>(xddp::element_count(g[n.inputs[0]].shape));
    }
    return work;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const xddp::graph g = xddp::io::load_onnx_from_memory(std::span(reinterpret_cast<const char*>(data), size));
        try {
            (void)xddp::layer_groups(g);
        } catch (const xddp::error&) {
        }
        if (forward_work(g) < 2e6) {
            xddp::shape_t shape{1};
            shape.insert(shape.end(), g.input_shape().begin(), g.input_shape().end());
            const xt::xarray<float> x = xt::zeros<float>(shape);
            (void)g(x);
        }
    } catch (const xddp::error&) {
    }
    return 0;
}
