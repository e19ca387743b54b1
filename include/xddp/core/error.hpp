#pragma once
// The error hierarchy. Every public entry point throws one of these, never crashes.

#include <charconv>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace xddp {

// Base of every error xddp throws; catch this to handle them all.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A tensor whose shape does not fit what a layer or a file expects.
class shape_error : public error {
public:
    using error::error;
};

// A layer option, file feature or combination xddp does not support.
class unsupported_error : public error {
public:
    using error::error;
};

// A malformed, truncated or inconsistent file.
class format_error : public error {
public:
    using error::error;
};

// A value out of its domain: NaN/Inf, a threshold outside (0, 1], a negative size.
class value_error : public error {
public:
    using error::error;
};

// A file or folder that cannot be opened, read or written.
class io_error : public error {
public:
    using error::error;
};

// More memory or threads than the machine gives: an allocation or a thread start that failed, named.
class resource_error : public error {
public:
    using error::error;
};

// An index past the end of what an accessor reads (a node id, an activation, a layer of a profile).
class index_error : public error {
public:
    using error::error;
};

// v as people write it in a message: the shortest text that reads back as v (0.1, 1e-12, 3), not "0.100000".
inline std::string number_text(double v) {
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    return ec == std::errc() ? std::string(buffer, end) : std::to_string(v);
}

// container[k], or an index_error naming `what` ("node"), k and the valid range: "node 99 does not exist;
// expected 0 to 11".
template <class Container>
decltype(auto) checked_at(Container& container, std::size_t k, std::string_view what) {
    if (k >= container.size())
        throw index_error(std::string(what) + " " + std::to_string(k) + " does not exist; " +
                          (container.size() == 0 ? std::string("there are none")
                                                 : "expected 0 to " + std::to_string(container.size() - 1)));
    return (container[k]);
}

// Text quoted from an input (a JSON value, a file name, an option), cut to at most `max` characters so that
// a message stays readable: "abc..." followed by the full length.
inline std::string excerpt(std::string_view text, std::size_t max = 80) {
    if (text.size() <= max) return std::string(text);
    return std::string(text.substr(0, max)) + "... (" + std::to_string(text.size()) + " characters)";
}

}  // namespace xddp
