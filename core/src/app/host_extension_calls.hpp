// The C functions of the host extensions that act on the node or the
// cluster (kubecert.https.v1, kubecert.csr.v1): each finds the adapter
// behind the host pointer it is given and calls HostServices, guarded like
// every callback of the host table.
#pragma once

#include <kubecert/plugin.h>

namespace kubecert::app {

kubecert_status_t ext_https_request(const kubecert_host_t* host, const kubecert_https_request_t* request,
                                    kubecert_https_response_t* out) noexcept;

kubecert_status_t ext_csr_parse(const kubecert_host_t* host, const char* pem, size_t size, const char* source,
                                kubecert_csr_info_t* out) noexcept;

} // namespace kubecert::app
