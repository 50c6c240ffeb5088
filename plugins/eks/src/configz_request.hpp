#pragma once

#include <string>
#include <string_view>

#include <kubecert/sdk.hpp>

#include "node_sources.hpp"

namespace kubecert::eks {

// True when `name` is a DNS-1123 subdomain (a valid Kubernetes node name):
// lowercase alphanumerics, '-' and '.', labels starting and ending alphanumeric, <= 253.
bool is_dns1123_subdomain(std::string_view name);

// eks.configz: the live configuration from GET <--eks-api-proxy>/api/v1/nodes/
// <node>/proxy/configz compared with what the files say. `files` is null when
// the node's files could not be read. `live_differs` is set when the kubelet
// runs with other values than its files (a restart fixes it).
sdk::Finding check_configz(const sdk::Host& host, const KubeletSources* files, bool& live_differs);

} // namespace kubecert::eks
