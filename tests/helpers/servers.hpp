#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

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

// A free TCP port on 127.0.0.1 (nothing listening on it right now).
int free_port();

// A socket listening on 127.0.0.1 at a port the kernel picks, stored in
// *port. Throws when it cannot listen. The caller closes the socket.
int listen_on_loopback(int backlog, int* port);

} // namespace kubecert::test
