// The guards every C callback of the host runs in (host_abi_adapter.cpp and
// the extensions of host_extension_calls.cpp): find the adapter behind the
// host pointer, turn any exception into a failing status plus last_error(),
// copy answers out only as far as the plugin's struct_size goes.
#pragma once

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>
#include <type_traits>

#include <kubecert/plugin.h>

#include "app/host_abi_adapter.hpp"
#include "host/root_fs.hpp"
#include "util/result.hpp"

namespace kubecert::app::abi {

// The most bytes a plugin may hand over in one buffer: what a node file may
// hold (RootFs::k_max_file_bytes). A larger size is refused before the data
// is touched, so a wrong size cannot make the host read past the plugin's buffer.
constexpr size_t k_max_input_bytes = host::RootFs::k_max_file_bytes;

inline HostAbiAdapter* adapter_of(const kubecert_host_t* h) {
    return h && h->host_data ? static_cast<HostAbiAdapter*>(h->host_data) : nullptr;
}

inline kubecert_status_t to_status(util::ErrorCode code) {
    return static_cast<kubecert_status_t>(code);
}

inline std::string str(const char* s) {
    return s ? std::string(s) : std::string();
}

// Runs `body(adapter)` returning a status; an exception becomes KUBECERT_ERR_FAILED with its message.
template <class Body> kubecert_status_t guarded(const kubecert_host_t* h, const char* what, Body&& body) noexcept {
    static_assert(std::is_same_v<std::invoke_result_t<Body, HostAbiAdapter&>, kubecert_status_t>,
                  "a guarded callback returns kubecert_status_t: declare it `-> kubecert_status_t`");
    HostAbiAdapter* a = adapter_of(h);
    if (!a) return KUBECERT_ERR_INVALID;
    try {
        return body(*a);
    } catch (const std::exception& e) {
        return a->fail(KUBECERT_ERR_FAILED, std::string(what) + ": " + e.what());
    } catch (...) {
        return a->fail(KUBECERT_ERR_FAILED, std::string(what) + ": unexpected error in the host");
    }
}

// The same for a callback without a status: `fallback` when it cannot answer.
template <class T, class Body>
T guarded_value(const kubecert_host_t* h, const char* what, T fallback, Body&& body) noexcept {
    HostAbiAdapter* a = adapter_of(h);
    if (!a) return fallback;
    try {
        return body(*a);
    } catch (const std::exception& e) {
        a->fail(KUBECERT_ERR_FAILED, std::string(what) + ": " + e.what());
    } catch (...) {
        a->fail(KUBECERT_ERR_FAILED, std::string(what) + ": unexpected error in the host");
    }
    return fallback;
}

template <class T> kubecert_status_t answer(HostAbiAdapter& a, const util::Result<T>& r) {
    return r ? KUBECERT_OK : a.fail(to_status(r.error().code), r.error().message);
}

// Copies `value` into the plugin's struct, only as far as its struct_size goes.
// Rationale: a plugin built against an older, smaller struct gets only the fields it knows.
template <class T> void copy_out(T* out, T value) {
    value.struct_size = out->struct_size;
    std::memcpy(out, &value, std::min<size_t>(out->struct_size, sizeof value));
}

inline bool too_big(size_t size) {
    return size > k_max_input_bytes;
}

} // namespace kubecert::app::abi
