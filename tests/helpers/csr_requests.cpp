#include "csr_requests.hpp"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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

std::string asn1_text(const ASN1_STRING* s) {
    unsigned char* utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, s);
    if (n < 0) return "";
    std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
    return out;
}

void read_subject(X509_NAME* name, ParsedCsr& out) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    out.subject.assign(data, static_cast<std::size_t>(n));
    for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
        const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
        const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
        const std::string value = asn1_text(X509_NAME_ENTRY_get_data(e));
        if (nid == NID_commonName)
            out.common_name = value;
        else if (nid == NID_organizationName)
            out.organizations.push_back(value);
        else
            out.other_subject_attributes.push_back(std::string(OBJ_nid2sn(nid)) + "=" + value);
    }
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
    char buf[INET6_ADDRSTRLEN] = "";
    const int len = ASN1_STRING_length(ip);
    const int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : -1;
    if (family < 0 || !inet_ntop(family, ASN1_STRING_get0_data(ip), buf, sizeof buf)) return "?";
    return buf;
}

void read_sans(X509_REQ* req, ParsedCsr& out) {
    STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req);
    if (!exts) return;
    auto* names = static_cast<GENERAL_NAMES*>(X509V3_get_d2i(exts, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
        if (g->type == GEN_DNS) out.dns_names.push_back(asn1_text(g->d.dNSName));
        if (g->type == GEN_IPADD) out.ip_addresses.push_back(ip_text(g->d.iPAddress));
        if (g->type == GEN_EMAIL) out.email_addresses.push_back(asn1_text(g->d.rfc822Name));
        if (g->type == GEN_URI) out.uris.push_back(asn1_text(g->d.uniformResourceIdentifier));
    }
    GENERAL_NAMES_free(names);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
}

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

ParsedCsr parse_csr_pem(const std::string& pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (!req) throw std::runtime_error("not a PEM certificate request");
    ParsedCsr out;
    read_subject(X509_REQ_get_subject_name(req.get()), out);
    read_sans(req.get(), out);
    EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
    if (key) {
        const int id = EVP_PKEY_get_base_id(key);
        out.key_type = id == EVP_PKEY_RSA ? "RSA" : id == EVP_PKEY_EC ? "EC" : OBJ_nid2sn(id);
        out.key_bits = EVP_PKEY_get_bits(key);
        out.signature_valid = X509_REQ_verify(req.get(), key) == 1;
    }
    return out;
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
