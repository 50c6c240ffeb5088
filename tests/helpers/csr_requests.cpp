#include "csr_requests.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

#include "test_support.hpp"

namespace kubecert::test {

namespace {

template <class T, void (*F)(T*)> struct Deleter {
    void operator()(T* p) const { F(p); }
};
using ReqPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

} // namespace

std::string openssl_csr(const std::string& dir, const CsrSpec& spec) {
    static int counter = 0;
    const std::string base = dir + "/req-" + std::to_string(++counter);
    std::vector<std::string> argv{"openssl",     "req",  "-new",        "-nodes", "-keyout",
                                  base + ".key", "-out", base + ".csr", "-subj",  spec.subject};
    if (spec.key == "ec")
        argv.insert(argv.end(), {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"});
    else
        argv.insert(argv.end(), {"-newkey", spec.key});
    if (!spec.sans.empty()) argv.insert(argv.end(), {"-addext", "subjectAltName=" + spec.sans});
    const auto r = run(argv);
    if (r.exit_code != 0) throw std::runtime_error("openssl req failed: " + r.err);
    return read_file(base + ".csr");
}

std::string corrupt_csr_signature(const std::string& pem) {
    BioPtr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    ReqPtr req(PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr));
    if (!req) throw std::runtime_error("not a PEM certificate request");
    const ASN1_BIT_STRING* sig = nullptr;
    X509_REQ_get0_signature(req.get(), &sig, nullptr);
    // The signature's last byte, flipped: the request still parses, its signature fails.
    auto* bytes = const_cast<unsigned char*>(ASN1_STRING_get0_data(sig));
    bytes[ASN1_STRING_length(sig) - 1] ^= 0x01;
    BioPtr out(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509_REQ(out.get(), req.get());
    char* data = nullptr;
    const long n = BIO_get_mem_data(out.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

} // namespace kubecert::test
