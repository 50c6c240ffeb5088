/*
 * The interface between the host and its HTTPS transport module
 * (kubecert-https.so, built from core/src/net/https_module/), which the host
 * dlopens on the first HTTPS request (net/https_client.cpp) so that a run
 * that makes none never loads libcurl. Private to kubecert: the module is
 * built and installed with the host, in the same version; the version field
 * only guards against a stray file from another build.
 */
#ifndef KUBECERT_HTTPS_TRANSPORT_H
#define KUBECERT_HTTPS_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KUBECERT_HTTPS_TRANSPORT_SYMBOL "kubecert_https_transport"
#define KUBECERT_HTTPS_TRANSPORT_VERSION 1u

/* Outcome classes, the values of kubecert_status_t (plugin.h). */
#define KUBECERT_HTTPS_OK 0
#define KUBECERT_HTTPS_FAILED 1
#define KUBECERT_HTTPS_TIMEOUT 6
#define KUBECERT_HTTPS_UNREACHABLE 7
#define KUBECERT_HTTPS_INVALID 8

/* One request, validated by the host (method, https URL, sizes, defaults). */
typedef struct kubecert_https_transport_request {
    const char* method;
    const char* url;
    const char* const* headers;
    size_t header_count;
    const char* body;
    size_t body_size;
    const char* ca_pem;
    size_t ca_pem_size;
    const char* client_cert_pem; /* NULL when none */
    size_t client_cert_pem_size;
    const char* client_key_pem;
    size_t client_key_pem_size;
    const char* bearer_token;    /* NULL when none */
    const char* tls_server_name; /* NULL when none */
    const char* proxy_url;       /* NULL when none */
    uint32_t timeout_ms;
    uint64_t max_response_bytes;
} kubecert_https_transport_request_t;

/* Receives the answer as it comes; each returns 0 to go on, non-zero to stop. */
typedef struct kubecert_https_transport_sink {
    void* context;
    int (*body)(void* context, const char* data, size_t size);
    int (*content_type)(void* context, const char* value);
} kubecert_https_transport_sink_t;

typedef struct kubecert_https_transport {
    uint32_t version; /* KUBECERT_HTTPS_TRANSPORT_VERSION */
    /* Sends the request. Returns KUBECERT_HTTPS_OK with *http_status set
     * when an answer came; else an outcome class with a one-line reason in
     * `error` (NUL terminated, at most error_size bytes). */
    int32_t (*perform)(const kubecert_https_transport_request_t* request, const kubecert_https_transport_sink_t* sink,
                       int32_t* http_status, char* error, size_t error_size);
    /* The transport library, for --version and logs, e.g. "libcurl/7.88.1 OpenSSL/3.0.11". */
    const char* (*library_version)(void);
} kubecert_https_transport_t;

#ifdef __cplusplus
}
#endif

#endif /* KUBECERT_HTTPS_TRANSPORT_H */
