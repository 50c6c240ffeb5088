#include "loader/plugin_model.hpp"

#include <cstring>

namespace kubecert::loader {

using util::ErrorCode;
using util::make_error;

namespace {

// Far beyond any real declaration: a larger number is a broken descriptor, not a big plugin.
constexpr size_t k_max_declarations = 10000;
constexpr uint32_t k_max_stride = 64 * 1024;

constexpr size_t k_plugin_1_0_size = KUBECERT_SIZE_UNTIL(kubecert_plugin_t, get_last_error);
constexpr size_t k_plugin_1_4_size = KUBECERT_SIZE_UNTIL(kubecert_plugin_t, get_option);
constexpr size_t k_check_1_0_size = KUBECERT_SIZE_UNTIL(kubecert_check_decl_t, title);
constexpr size_t k_option_1_0_size = KUBECERT_SIZE_UNTIL(kubecert_option_decl_t, default_value);

std::string str(const char* s) {
    return s ? std::string(s) : std::string();
}

util::Error invalid(std::string why) {
    return make_error(ErrorCode::invalid, std::move(why));
}

// Where a list of declarations comes from: count() + get(i), or an array read with its own stride.
template <class Decl> struct DeclSource {
    const char* what; // "check", "option"
    size_t min_size;
    uint32_t (*count_fn)(const kubecert_plugin_t*) = nullptr;
    const Decl* (*get_fn)(const kubecert_plugin_t*, uint32_t) = nullptr;
    const Decl* array = nullptr;
    size_t array_count = 0;
};

template <class Decl, class Convert>
util::Status read_declarations(const kubecert_plugin_t& plugin, const DeclSource<Decl>& src, Convert convert) {
    const std::string what = src.what;
    const bool accessors = src.count_fn && src.get_fn;
    const size_t count = accessors ? src.count_fn(&plugin) : src.array_count;
    if (count > k_max_declarations)
        return invalid(std::to_string(count) + " " + what + " declarations (at most " +
                       std::to_string(k_max_declarations) + ")");
    if (count == 0) return util::ok_status();
    if (!accessors && !src.array) return invalid(what + "s: count " + std::to_string(count) + " but no array");
    // An array's stride is what its writer declared in the first element (plugin.h): never our sizeof.
    const uint32_t stride = accessors ? 0 : src.array[0].struct_size;
    if (!accessors && (stride < src.min_size || stride > k_max_stride))
        return invalid(what + " declarations have struct_size " + std::to_string(stride) + " (want " +
                       std::to_string(src.min_size) + " to " + std::to_string(k_max_stride) + ")");
    for (size_t i = 0; i < count; ++i) {
        const Decl* d =
            accessors ? src.get_fn(&plugin, static_cast<uint32_t>(i)) : KUBECERT_ELEMENT(Decl, src.array, stride, i);
        const std::string which = what + " declaration " + std::to_string(i);
        if (!d) return invalid("get_" + what + "(" + std::to_string(i) + ") returned NULL");
        if (d->struct_size < src.min_size)
            return invalid(which + " has struct_size " + std::to_string(d->struct_size) + " (at least " +
                           std::to_string(src.min_size) + ")");
        if (!accessors && d->struct_size != stride)
            return invalid(which + " has struct_size " + std::to_string(d->struct_size) + ", not the array's stride " +
                           std::to_string(stride));
        convert(*d);
    }
    return util::ok_status();
}

} // namespace

std::string PluginModel::abi_text() const {
    return std::to_string(required_abi.major) + "." + std::to_string(required_abi.minor) + "." +
           std::to_string(required_abi.patch);
}

const OptionModel* PluginModel::option(std::string_view wanted) const {
    for (const auto& o : options)
        if (o.name == wanted) return &o;
    return nullptr;
}

util::Result<PluginModel> read_plugin_model(const kubecert_version_t& required_abi, const kubecert_plugin_t& plugin,
                                            std::string path) {
    // The fields of the minor the plugin requires must be there; 1.0's are the minimum.
    const size_t min_size = required_abi.minor >= 4 ? k_plugin_1_4_size : k_plugin_1_0_size;
    if (plugin.struct_size < min_size)
        return invalid("plugin descriptor too small (struct_size " + std::to_string(plugin.struct_size) + ", ABI " +
                       std::to_string(required_abi.major) + "." + std::to_string(required_abi.minor) +
                       " needs at least " + std::to_string(min_size) + ")");
    PluginModel m;
    m.name = str(plugin.name);
    m.version = str(plugin.version);
    m.description = str(plugin.description);
    m.required_abi = required_abi;
    m.path = std::move(path);

    const bool has_accessors = KUBECERT_HAS_FIELD(&plugin, kubecert_plugin_t, get_option);
    DeclSource<kubecert_check_decl_t> checks{"check", k_check_1_0_size};
    DeclSource<kubecert_option_decl_t> options{"option", k_option_1_0_size};
    if (has_accessors) {
        checks.count_fn = plugin.get_check_count;
        checks.get_fn = plugin.get_check;
        options.count_fn = plugin.get_option_count;
        options.get_fn = plugin.get_option;
    }
    checks.array = plugin.checks;
    checks.array_count = plugin.check_count;
    options.array = plugin.options;
    options.array_count = plugin.option_count;

    auto st = read_declarations(plugin, checks, [&](const kubecert_check_decl_t& c) {
        m.checks.push_back({str(c.id), str(c.title)});
    });
    if (!st) return st.error();
    st = read_declarations(plugin, options, [&](const kubecert_option_decl_t& o) {
        if (!o.name) return; // nothing to name it by: never offered (as before ABI 1.4)
        OptionModel om;
        om.name = o.name;
        if (o.value_name) om.value_name = o.value_name;
        om.help = str(o.help);
        if (o.value_name && o.default_value) om.default_value = o.default_value;
        m.options.push_back(std::move(om));
    });
    if (!st) return st.error();
    return m;
}

} // namespace kubecert::loader
