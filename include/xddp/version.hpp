#pragma once
// xddp version. Semantic versioning; the installed package config accepts the same minor version only.

namespace xddp {

inline constexpr int version_major = 0;
inline constexpr int version_minor = 1;
inline constexpr int version_patch = 0;
inline constexpr const char* version_string = "0.1.0";

}  // namespace xddp
