#include "x509/openssl_text.hpp"

#include <arpa/inet.h>

#include <openssl/bio.h>

#include "x509/openssl_ptr.hpp"

namespace kubecert::x509 {

std::string name_rfc2253(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
    char* text = nullptr;
    long n = BIO_get_mem_data(bio.get(), &text);
    return std::string(text, static_cast<std::size_t>(n));
}

std::string asn1_to_utf8(const ASN1_STRING* s) {
    unsigned char* out = nullptr;
    int n = ASN1_STRING_to_UTF8(&out, s);
    if (n < 0) return {};
    std::string text(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
    OPENSSL_free(out);
    return text;
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
    char buf[INET6_ADDRSTRLEN] = {};
    int len = ASN1_STRING_length(ip);
    const unsigned char* bytes = ASN1_STRING_get0_data(ip);
    if (len == 4)
        inet_ntop(AF_INET, bytes, buf, sizeof buf);
    else if (len == 16)
        inet_ntop(AF_INET6, bytes, buf, sizeof buf);
    else
        return "<invalid>";
    return buf;
}

std::string key_algorithm(const EVP_PKEY* key) {
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: return "RSA";
    case EVP_PKEY_RSA_PSS: return "RSA-PSS";
    case EVP_PKEY_EC: return "EC";
    case EVP_PKEY_ED25519: return "ED25519";
    case EVP_PKEY_ED448: return "ED448";
    case EVP_PKEY_DSA: return "DSA";
    default: return "UNKNOWN";
    }
}

} // namespace kubecert::x509
