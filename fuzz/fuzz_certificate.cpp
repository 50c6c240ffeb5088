// PEM, DER and base64 certificates and keys. Input: certificate bytes, or
// key and certificate separated by the first NUL.
#include "x509/certificate.hpp"

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kubecert::x509;
    const std::string_view text = kubecert::fuzz::as_text(data, size);
    parse_certificate(text, "/etc/kubernetes/pki/apiserver.crt");
    const std::size_t nul = text.find('\0');
    if (nul != std::string_view::npos) {
        const std::string_view key = text.substr(0, nul);
        const std::string_view cert = text.substr(nul + 1);
        parse_certificate(cert, "cert");
        key_matches_certificate(key, cert);
    }
    return 0;
}
