#pragma once

#include <memory>
#include <string>
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

// A free TCP port on 127.0.0.1 (nothing listening on it right now).
int free_port();

// A socket listening on 127.0.0.1 at a port the kernel picks, stored in
// *port. Throws when it cannot listen. The caller closes the socket.
int listen_on_loopback(int backlog, int* port);

} // namespace kubecert::test
