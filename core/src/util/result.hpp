#pragma once

#include <string>
#include <utility>
#include <variant>

namespace kubecert::util {

// Why an operation failed; maps one to one onto kubecert_status_t.
enum class ErrorCode {
    failed = 1,
    not_found = 2,
    parse = 3,
    io = 4,
    denied = 5,
    timeout = 6,
    unreachable = 7,
    invalid = 8
};

struct Error {
    ErrorCode code = ErrorCode::failed;
    std::string message; // one line, names the file/endpoint and the reason
};

// An expected<T, Error>: the value, or why there is none.
template <class T> class Result {
public:
    Result(T value) : m_v(std::move(value)) {}
    Result(Error error) : m_v(std::move(error)) {}
    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(m_v); }
    const T& value() const { return std::get<0>(m_v); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

// A Result without a value.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() {
    return Unit{};
}

inline Error make_error(ErrorCode code, std::string message) {
    return Error{code, std::move(message)};
}

} // namespace kubecert::util
