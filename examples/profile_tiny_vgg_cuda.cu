// The tiny_vgg contribution profile on the GPU: the host example with xddp::cuda as the tensor policy,
// the only change at the call sites. Usage: example_profile_tiny_vgg_cuda [WEIGHTS_DIR [INPUT.npy]]
// (the golden case's weights/ and inputs/x0.npy); without arguments, seeded weights and a fixed input.
// Without a CUDA device it says so and exits with 77 (ctest's skip code in this project's build).

#include <cstdio>
#include <exception>

#include <xtensor/xarray.hpp>

#include "xddp/device/profile.hpp"
#include "xddp/io/npy.hpp"
#include "xddp/model/seeded_weights.hpp"
#include "xddp/model/weights.hpp"
#include "xddp/model/zoo.hpp"
#include "xddp/tensor/cuda.hpp"

int main(int argc, char** argv) try {
    if (!xddp::gpu::has_device()) {
        std::printf("profile_tiny_vgg_cuda: SKIPPED, no CUDA device (the backend was compiled and linked)\n");
        return 77;
    }
    xddp::graph g = xddp::zoo::tiny_vgg();
    if (argc > 1) xddp::load_weights(g, argv[1]);
    else xddp::seed_weights(g, 0);
    xt::xarray<float> x = xt::xarray<float>::from_shape({1, 3, 32, 32});
    if (argc > 2) x = xddp::io::load_npy<float>(argv[2]);
    else
        for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i % 17) / 8.0f - 1.0f;

    xddp::profile_options opt;
    opt.threshold = 0.1;
    const xddp::profile p = xddp::contribution_profile<xddp::channel_neurons, xddp::cuda>(g, x, opt);
    const xddp::activations out = xddp::forward<xddp::cuda>(g, x);
    std::printf("tiny_vgg on the GPU: %zu layers, %llu total count, %zu synapses; logits[0] = %g\n", p.layers.size(),
                static_cast<unsigned long long>(p.total()), p.num_synapses(), static_cast<double>(out.output()(0, 0)));
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "profile_tiny_vgg_cuda: %s\n", e.what());
    return 1;
}
