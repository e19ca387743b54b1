// libFuzzer target for the .npy reader: any bytes give an array or an xddp::error, never a crash, an
// out-of-bounds read or an allocation the bytes do not justify.

#include <cstddef>
#include <cstdint>
#include <span>

#include <xddp/io/npy.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const char> bytes(reinterpret_cast<const char*>(data), size);
    try {
        (void)xddp::io::load_npy_from_memory<float>(bytes);
    } catch (const xddp::error&) {
    }
    try {
        (void)xddp::io::load_npy_from_memory<std::int64_t>(bytes);
    } catch (const xddp::error&) {
    }
    try {
        (void)xddp::io::load_npy_from_memory<std::uint8_t>(bytes);
    } catch (const xddp::error&) {
    }
    return 0;
}
