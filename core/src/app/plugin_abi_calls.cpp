// Guarded calls into a plugin: what a plugin returns is checked before it is believed.
#include "app/plugin_abi_calls.hpp"

#include <exception>

namespace kubecert::app::plugin_abi {

namespace {

// get_last_error(self), or a sentence saying there was none.
std::string message_of(const kubecert_plugin_t& api, void* self) noexcept {
    try {
        const char* e = api.get_last_error ? api.get_last_error(self) : nullptr;
        return e && *e ? std::string(e) : std::string("no message");
    } catch (...) {
        return "no message (get_last_error threw a C++ exception)";
    }
}

util::Error call_error(const std::string& plugin, const char* call, const std::string& why) {
    return util::make_error(util::ErrorCode::failed, plugin + ": " + call + " failed: " + why);
}

// Runs one call into the plugin; an exception crossing the C ABI is reported, not rethrown.
template <class Call>
util::Result<kubecert_status_t> call_guarded(const std::string& plugin, const char* call, Call&& body) noexcept {
    try {
        return body();
    } catch (const std::exception& e) {
        return call_error(plugin, call, std::string("a C++ exception crossed the plugin ABI: ") + e.what());
    } catch (...) {
        return call_error(plugin, call, "an exception crossed the plugin ABI");
    }
}

// The Error for a status other than KUBECERT_OK, with the plugin's own message.
util::Status to_status(const kubecert_plugin_t& api, const std::string& plugin, void* self, const char* call,
                       const util::Result<kubecert_status_t>& returned) {
    if (!returned) return returned.error();
    // Compared as an integer: a plugin may return any value in the enum's storage.
    const auto st = static_cast<long long>(*returned);
    if (st == KUBECERT_OK) return util::ok_status();
    const bool known = st >= KUBECERT_ERR_FAILED && st <= KUBECERT_ERR_INVALID;
    std::string why = message_of(api, self);
    if (!known) why += " (status " + std::to_string(st) + " is not a kubecert_status_t)";
    return util::make_error(known ? static_cast<util::ErrorCode>(st) : util::ErrorCode::failed,
                            plugin + ": " + call + " failed: " + why);
}

util::Error missing(const std::string& plugin, const char* call) {
    return call_error(plugin, call, "the plugin has no such function");
}

} // namespace

util::Result<void*> create(const kubecert_plugin_t& api, const std::string& plugin, const kubecert_host_t* host) {
    if (!api.create) return missing(plugin, "create");
    void* self = nullptr;
    auto returned = call_guarded(plugin, "create", [&] {
        self = api.create(host);
        return KUBECERT_OK;
    });
    if (!returned) return returned.error();
    if (!self)
        return util::make_error(util::ErrorCode::failed, plugin + ": create() failed: " + message_of(api, nullptr));
    return self;
}

util::Status destroy(const kubecert_plugin_t& api, const std::string& plugin, void* self) {
    if (!api.destroy || !self) return util::ok_status();
    auto returned = call_guarded(plugin, "destroy", [&] {
        api.destroy(self);
        return KUBECERT_OK;
    });
    if (!returned) return returned.error();
    return util::ok_status();
}

util::Result<bool> detect(const kubecert_plugin_t& api, const std::string& plugin, void* self,
                          const kubecert_host_t* host) {
    if (!api.detect) return missing(plugin, "detect");
    int matches = 0;
    auto st = to_status(api, plugin, self, "detect",
                        call_guarded(plugin, "detect", [&] { return api.detect(self, host, &matches); }));
    if (!st) return st.error();
    return matches != 0;
}

util::Status audit(const kubecert_plugin_t& api, const std::string& plugin, void* self, const kubecert_host_t* host) {
    if (!api.audit) return missing(plugin, "audit");
    return to_status(api, plugin, self, "audit", call_guarded(plugin, "audit", [&] { return api.audit(self, host); }));
}

util::Status fix(const kubecert_plugin_t& api, const std::string& plugin, void* self, const kubecert_host_t* host,
                 const std::vector<std::string>& finding_ids) {
    if (!api.fix) return missing(plugin, "fix");
    std::vector<const char*> ids;
    for (const auto& id : finding_ids) ids.push_back(id.c_str());
    return to_status(api, plugin, self, "fix",
                     call_guarded(plugin, "fix", [&] { return api.fix(self, host, ids.data(), ids.size()); }));
}

} // namespace kubecert::app::plugin_abi
