#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pki.hpp"

// Real servers on 127.0.0.1 for tests, bounded in time.
namespace kubecert::test {

// `openssl s_server` serving a certificate on 127.0.0.1:<free port>.
class TlsServer {
public:
    // Starts serving cert_file/key_file (host paths); waits until it accepts.
    TlsServer(const std::string& cert_file, const std::string& key_file);
    // The same with more s_server options (e.g. -CAfile, -Verify 1 for mutual TLS, -www).
    TlsServer(const std::string& cert_file, const std::string& key_file, std::vector<std::string> extra_args);
    ~TlsServer();
    int port() const { return m_port; }
    std::string address() const; // "127.0.0.1:PORT"
    // Restarts on the same port with other files.
    void restart(const std::string& cert_file, const std::string& key_file);
    void stop();

private:
    void start(const std::string& cert_file, const std::string& key_file);
    int m_port = 0;
    int m_pid = -1;
    std::vector<std::string> m_extra;
};

// A minimal HTTP/1.1 server on 127.0.0.1:<free port> answering every GET
// with a fixed status and body (or never answering when `hang`). Records the
// request paths it got.
class HttpServer {
public:
    HttpServer(int status, std::string body, bool hang = false);
    ~HttpServer();
    int port() const;
    std::string url() const; // "http://127.0.0.1:PORT"
    std::vector<std::string> request_paths() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Serves one connection on 127.0.0.1 with exact bytes, for framings that
// HttpServer does not produce: records the request head, sends `parts` with
// a pause between them (so the client sees partial reads), then closes.
// Gives up after 5 s without a client or a complete request.
class RawHttpServer {
public:
    explicit RawHttpServer(std::vector<std::string> parts);
    ~RawHttpServer();
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
    int port() const { return m_port; }
    // The request head the client sent; waits for the exchange to end.
    std::string request();

private:
    void serve(const std::vector<std::string>& parts);

    int m_fd = -1;
    int m_port = 0;
    std::string m_request;
    std::thread m_thread;
};

// One request an HttpsServer got.
struct HttpsExchange {
    std::string method;
    std::string target;                         // path and query, as sent
    std::map<std::string, std::string> headers; // names in lower case
    std::string body;
    std::string client_cn; // CN of the verified client certificate, "" when none
};

struct HttpsReply {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
};

enum class ClientCertificates {
    required, // the handshake fails without a certificate from the client CA (kube-apiserver with --client-ca-file and
              // no other authn)
    optional  // asked for and verified when sent; the handler sees client_cn "" otherwise
};

// An HTTPS/1.1 server on 127.0.0.1:<free port> (OpenSSL), for the clients of
// a Kubernetes API: serves `server` (a certificate and key), verifies client
// certificates against `client_ca_pem`, answers each request with `handler`
// (one connection at a time, "Connection: close"), and records every request
// and every failed handshake. Each connection is bounded to 5 s.
class HttpsServer {
public:
    using Handler = std::function<HttpsReply(const HttpsExchange&)>;
    HttpsServer(const KeyPair& server, const std::string& client_ca_pem, ClientCertificates mode, Handler handler);
    ~HttpsServer();
    HttpsServer(const HttpsServer&) = delete;
    HttpsServer& operator=(const HttpsServer&) = delete;
    int port() const;
    std::string url() const; // "https://127.0.0.1:PORT"
    std::vector<HttpsExchange> exchanges() const;
    // Handshakes that failed, with OpenSSL's reason (no client certificate, unknown CA, ...).
    std::vector<std::string> handshake_failures() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// A free TCP port on 127.0.0.1 (nothing listening on it right now).
int free_port();

// A socket listening on 127.0.0.1 at a port the kernel picks, stored in
// *port. Throws when it cannot listen. The caller closes the socket.
int listen_on_loopback(int backlog, int* port);

} // namespace kubecert::test
