// Must NOT compile: ctest compiles it with the C++ compiler (not nvcc) and passes when the compiler prints
// the static_assert message that says what to do. XDDP_CASE picks the unsupported combination.
#include <xddp/device/profile.hpp>
#include <xddp/model/zoo.hpp>
#include <xddp/tensor/cuda.hpp>

int main() {
    const xddp::graph g = xddp::zoo::tiny_vgg();
    xt::xarray<float> x = xt::zeros<float>({1, 3, 32, 32});
#if XDDP_CASE == 1  // the CUDA policy in a translation unit g++ compiles
    return static_cast<int>(xddp::forward<xddp::cuda>(g, x).values.size());
#elif XDDP_CASE == 2  // the CUDA policy for a profile
    return static_cast<int>(xddp::contribution_profile<xddp::channel_neurons, xddp::cuda>(g, x, {}).layers.size());
#else  // a policy without device kernels handed to the device model
    const xddp::device_model<xddp::host> m(g);
    return static_cast<int>(m.model().size());
#endif
}
