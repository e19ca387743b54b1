#pragma once
// The error hierarchy. Every public entry point throws one of these, never crashes.

#include <stdexcept>
#include <string>

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

}  // namespace xddp
