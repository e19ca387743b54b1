// libFuzzer target for the byte formats that MPI ranks exchange (profile, class-profile sum, state counter,
// sensitivity rows): any bytes give a value or an xddp::error, never a crash, an out-of-bounds read or an
// allocation the bytes do not justify. The first byte chooses the format, the rest are its bytes; a value
// that reads must write back to the same bytes' meaning (read, write, read again gives the same value).

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>

#include <xddp/profile/bytes.hpp>
#include <xddp/pruning/bytes.hpp>
#include <xddp/state/bytes.hpp>

namespace {

template <class Read, class Write>
void round_trip(std::span<const std::uint8_t> bytes, Read read, Write write) {
    const auto value = read(bytes);
    const auto again = read(write(value));
    if (write(again) != write(value)) throw std::logic_error("a value read from bytes did not round-trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::span<const std::uint8_t> bytes(data + 1, size - 1);
    try {
        switch (data[0] % 5) {
            case 0:
                round_trip(bytes, [](auto b) { return xddp::profile_from_bytes(b); },
                           [](const auto& v) { return xddp::profile_to_bytes(v); });
                break;
            case 1:
                round_trip(bytes, [](auto b) { return xddp::class_profile_sum_from_bytes(b); },
                           [](const auto& v) { return xddp::class_profile_sum_to_bytes(v); });
                break;
            case 2:
                round_trip(bytes, [](auto b) { return xddp::state_counter_from_bytes<xddp::exact_hash>(b); },
                           [](const auto& v) { return xddp::state_counter_to_bytes(v); });
                break;
            case 3:
                round_trip(bytes, [](auto b) { return xddp::state_counter_from_bytes<xddp::compact_hash>(b); },
                           [](const auto& v) { return xddp::state_counter_to_bytes(v); });
                break;
            default:
                round_trip(bytes, [](auto b) { return xddp::sensitivity_rows_from_bytes(b); },
                           [](const auto& v) { return xddp::sensitivity_rows_to_bytes(v); });
                break;
        }
    } catch (const xddp::error&) {
    }
    return 0;
}
