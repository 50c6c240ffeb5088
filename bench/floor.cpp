// The floor of the benchmark: the least a program can do to check the same
// certificates, i.e. read each file, parse its certificate with OpenSSL and
// compare its notAfter with now. PEM files are parsed directly; a kubeconfig's
// client-certificate-data is base64-decoded first. Prints how many expire
// within 30 days; exit 1 when any does.
// Usage: kubecert-bench-floor FILE...
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace {

std::string read_all(const char* path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The PEM certificate in a file: the file itself, or the decoded client-certificate-data of a kubeconfig.
std::string certificate_pem(const std::string& text) {
    if (text.find("-----BEGIN CERTIFICATE-----") != std::string::npos) return text;
    const std::string key = "client-certificate-data:";
    auto pos = text.find(key);
    if (pos == std::string::npos) return "";
    pos = text.find_first_not_of(' ', pos + key.size());
    const auto end = text.find('\n', pos);
    const std::string b64 = text.substr(pos, end - pos);
    std::string out(b64.size() / 4 * 3 + 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(b64.data()), int(b64.size()));
    if (n < 0) return "";
    out.resize(size_t(n));
    return out;
}

} // namespace

int main(int argc, char** argv) {
    const time_t soon = time(nullptr) + 30 * 86400;
    int due = 0;
    for (int i = 1; i < argc; ++i) {
        const auto pem = certificate_pem(read_all(argv[i]));
        BIO* bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
        X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        if (!cert) {
            std::fprintf(stderr, "%s: no certificate\n", argv[i]);
            return 3;
        }
        time_t t = soon;
        if (X509_cmp_time(X509_get0_notAfter(cert), &t) <= 0) ++due;
        X509_free(cert);
    }
    std::printf("%d of %d certificates expire within 30 days\n", due, argc - 1);
    return due > 0 ? 1 : 0;
}
