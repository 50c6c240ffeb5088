#pragma once

#include <string>
#include <string_view>

#include <kubecert/sdk.hpp>

#include "facts.hpp"

// Asking the API server, through a kubectl proxy, for the kubelet's live configuration (configz).
namespace kubecert::eks {

// True when `name` is a DNS-1123 subdomain (a valid Kubernetes node name):
// lowercase alphanumerics, '-' and '.', labels starting and ending alphanumeric, <= 253.
bool is_dns1123_subdomain(std::string_view name);

// Reads a configz answer `body` from `url` into `facts` (the live gate and serverTLSBootstrap), or
// records why it is not a configz document.
void parse_configz_body(const std::string& url, const std::string& body, ConfigzFacts& facts);

// GET <--eks-api-proxy>/api/v1/nodes/<node>/proxy/configz; State::not_asked without
// --eks-api-proxy, State::problem when an option is malformed or the request fails.
ConfigzFacts read_configz(const sdk::Host& host);

} // namespace kubecert::eks
