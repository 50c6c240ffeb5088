#include "x509/csr.hpp"

#include <memory>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "x509/openssl_error.hpp"
#include "x509/openssl_ptr.hpp"
#include "x509/openssl_text.hpp"

namespace kubecert::x509 {

namespace {

using util::ErrorCode;
using util::make_error;

struct ReqFree {
    void operator()(X509_REQ* p) const { X509_REQ_free(p); }
};
struct ExtensionsFree {
    void operator()(STACK_OF(X509_EXTENSION) * p) const { sk_X509_EXTENSION_pop_free(p, X509_EXTENSION_free); }
};
struct NamesFree {
    void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};

void read_subject(const X509_NAME* name, CsrDetails& d) {
    d.subject = name_rfc2253(name);
    for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
        const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
        const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
        const std::string value = asn1_to_utf8(X509_NAME_ENTRY_get_data(entry));
        if (nid == NID_commonName && d.common_name.empty())
            d.common_name = value;
        else if (nid == NID_organizationName)
            d.organizations.push_back(value);
        else if (nid != NID_commonName)
            d.other_subject_attributes = true;
    }
}

// The requested subjectAltName entries, by type; an unknown type is ignored.
util::Status read_alt_names(X509_REQ* req, CsrDetails& d, const std::string& source) {
    std::unique_ptr<STACK_OF(X509_EXTENSION), ExtensionsFree> extensions(X509_REQ_get_extensions(req));
    if (!extensions) return util::ok_status();
    const int at = X509v3_get_ext_by_NID(extensions.get(), NID_subject_alt_name, -1);
    if (at < 0) return util::ok_status();
    std::unique_ptr<GENERAL_NAMES, NamesFree> names(
        static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(X509v3_get_ext(extensions.get(), at))));
    if (!names)
        return make_error(ErrorCode::parse,
                          source + ": the requested subjectAltName is malformed: " + take_openssl_error());
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
        switch (gn->type) {
        case GEN_DNS: d.dns_names.push_back(asn1_to_utf8(gn->d.dNSName)); break;
        case GEN_IPADD: d.ip_addresses.push_back(ip_text(gn->d.iPAddress)); break;
        case GEN_EMAIL: d.email_addresses.push_back(asn1_to_utf8(gn->d.rfc822Name)); break;
        case GEN_URI: d.uris.push_back(asn1_to_utf8(gn->d.uniformResourceIdentifier)); break;
        default: break;
        }
    }
    return util::ok_status();
}

} // namespace

util::Result<CsrDetails> parse_csr(std::string_view pem, const std::string& source) {
    ERR_clear_error();
    if (pem.find("-----BEGIN CERTIFICATE REQUEST-----") == std::string_view::npos &&
        pem.find("-----BEGIN NEW CERTIFICATE REQUEST-----") == std::string_view::npos)
        return make_error(ErrorCode::parse, source + ": not a PEM certificate request (no BEGIN CERTIFICATE REQUEST)");
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    std::unique_ptr<X509_REQ, ReqFree> req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (!req) return make_error(ErrorCode::parse, source + ": malformed certificate request: " + take_openssl_error());
    CsrDetails d;
    read_subject(X509_REQ_get_subject_name(req.get()), d);
    if (auto ok = read_alt_names(req.get(), d, source); !ok) return ok.error();
    EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
    if (!key)
        return make_error(ErrorCode::parse,
                          source + ": the request's public key cannot be read: " + take_openssl_error());
    d.key_type = key_algorithm(key);
    d.key_bits = EVP_PKEY_get_bits(key);
    d.signature_valid = X509_REQ_verify(req.get(), key) == 1;
    ERR_clear_error();
    return d;
}

} // namespace kubecert::x509
