#pragma once
// CHECK_ERROR(E, expr, text): expr throws an E whose message contains text; the message is printed when
// it does not (or what happened instead).

#include <doctest/doctest.h>

#include <exception>
#include <functional>
#include <string>

namespace check_error_detail {

// The message of the E that f throws, or a note saying what happened instead.
template <class E>
std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("a different exception: ") + e.what();
    }
    return "no exception";
}

}  // namespace check_error_detail

#define CHECK_ERROR(E, expr, text)                                                                      \
    do {                                                                                                \
        const std::string message_ = check_error_detail::error_of<E>([&] { (void)(expr); });            \
        CHECK_MESSAGE(message_.find(text) != std::string::npos, "message: ", message_);                 \
    } while (false)
