#pragma once

#include <array>
#include <cstddef>

// Text joined at compile time, so that names sharing a prefix spell it once and stay constant
// data (a plugin that includes them runs no code when it is loaded).
namespace kubecert::util {

// A NUL-terminated string of N-1 characters held by value, usable in constant expressions.
template <std::size_t N> struct StaticText {
    std::array<char, N> chars{};
    constexpr const char* c_str() const { return chars.data(); }
};

// `a` followed by `b`, as one NUL-terminated constant: join("kubeadm.", "renew-all").
template <std::size_t A, std::size_t B> constexpr StaticText<A + B - 1> join(const char (&a)[A], const char (&b)[B]) {
    StaticText<A + B - 1> out;
    for (std::size_t i = 0; i + 1 < A; ++i) out.chars[i] = a[i];
    for (std::size_t i = 0; i < B; ++i) out.chars[A - 1 + i] = b[i];
    return out;
}

// The same with a StaticText first, to build on an earlier join.
template <std::size_t A, std::size_t B>
constexpr StaticText<A + B - 1> join(const StaticText<A>& a, const char (&b)[B]) {
    StaticText<A + B - 1> out;
    for (std::size_t i = 0; i + 1 < A; ++i) out.chars[i] = a.chars[i];
    for (std::size_t i = 0; i < B; ++i) out.chars[A - 1 + i] = b[i];
    return out;
}

} // namespace kubecert::util
