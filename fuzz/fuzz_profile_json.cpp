// libFuzzer target for the profile JSON reader (what `xddp compare` reads): any bytes give a profile or an
// xddp::error, never a crash, an out-of-bounds read or an allocation the bytes do not justify. A profile
// that parses must also survive what compare does with it.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <xddp/profile/comparable.hpp>
#include <xddp/profile/jaccard.hpp>
#include <xddp/profile/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const xddp::profile p = xddp::parse_profile_json(std::string_view(reinterpret_cast<const char*>(data), size));
        xddp::require_comparable(p, p);
        (void)xddp::jaccard(p, p);
        (void)xddp::avg_jaccard(p, p, xddp::profile_part::synapses);
        (void)xddp::instance_jaccard(p, p);
        (void)xddp::to_json(p);
    } catch (const xddp::error&) {
    }
    return 0;
}
