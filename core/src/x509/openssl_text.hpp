// OpenSSL values as text, the same way for certificates and CSRs.
#pragma once

#include <string>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace kubecert::x509 {

// A name in RFC 2253 order and escaping, as `openssl x509 -subject -nameopt RFC2253` prints it.
std::string name_rfc2253(const X509_NAME* name);
// An ASN.1 string as UTF-8 ("" when it cannot be converted).
std::string asn1_to_utf8(const ASN1_STRING* s);
// An iPAddress of a subjectAltName in text form ("10.0.0.5", "fd00::5"), "<invalid>" for other lengths.
std::string ip_text(const ASN1_OCTET_STRING* ip);
// "RSA", "RSA-PSS", "EC", "ED25519", "ED448", "DSA" or "UNKNOWN".
std::string key_algorithm(const EVP_PKEY* key);

} // namespace kubecert::x509
