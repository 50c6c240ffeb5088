#include "x509/certificate.hpp"
#include "x509/openssl_error.hpp"
#include "x509/openssl_text.hpp"
#include "x509/private_key.hpp"

#include <kubecert/util/base64.hpp>

#include <arpa/inet.h>
#include <cctype>
#include <ctime>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "x509/openssl_ptr.hpp"

namespace kubecert::x509 {
namespace {

using util::ErrorCode;
using util::make_error;

struct GeneralNamesFree {
    void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
struct EkuFree {
    void operator()(EXTENDED_KEY_USAGE* p) const { EXTENDED_KEY_USAGE_free(p); }
};
struct StoreFree {
    void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
struct StoreCtxFree {
    void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};
struct ExtFree {
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using ExtPtr = std::unique_ptr<X509_EXTENSION, ExtFree>;

// Encrypted keys would make OpenSSL prompt on the terminal; an audit must never block.
int no_password(char*, int, int, void*) {
    return -1;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool is_pem(std::string_view data) {
    return data.find("-----BEGIN ") != std::string_view::npos;
}

// Base64 that may be wrapped on several lines (a kubeconfig's *-data) to bytes; false when `text`
// is not padded base64.
bool decode_base64(std::string_view text, std::string& out) {
    auto bytes = util::base64_decode(text, util::Base64Padding::required);
    if (!bytes) return false;
    out = std::move(*bytes);
    return true;
}

BioPtr memory_bio(std::string_view data) {
    return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

X509Ptr read_der_cert(std::string_view der) {
    auto p = reinterpret_cast<const unsigned char*>(der.data());
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    return cert;
}

// The first certificate in PEM, DER or base64 of either; errors name `source`.
util::Result<X509Ptr> decode_cert(std::string_view data, const std::string& source, bool allow_base64 = true) {
    // DER first and untrimmed: its last byte may well look like white space.
    if (!data.empty() && static_cast<unsigned char>(data.front()) == 0x30) {
        if (auto cert = read_der_cert(data)) return cert;
        ERR_clear_error();
    }
    data = trim(data);
    if (data.empty()) return make_error(ErrorCode::parse, source + ": empty, not a PEM or DER certificate");
    if (is_pem(data)) {
        auto bio = memory_bio(data);
        X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, no_password, nullptr));
        if (!cert) {
            std::string why = take_openssl_error();
            if (data.find("-----BEGIN CERTIFICATE-----") == std::string_view::npos)
                return make_error(ErrorCode::parse, source + ": no CERTIFICATE block in PEM data");
            return make_error(ErrorCode::parse, source + ": malformed PEM certificate: " + why);
        }
        return cert;
    }
    std::string decoded;
    if (allow_base64 && decode_base64(data, decoded)) {
        auto inner = decode_cert(decoded, source, false);
        if (inner.ok()) return inner;
    }
    ERR_clear_error();
    return make_error(ErrorCode::parse, source + ": not a PEM or DER certificate");
}

// decode_cert() with a memo of the decoded certificates by their bytes.
// Rationale: an audit parses, verifies and key-matches the same leaves and
// CAs again and again, and OpenSSL 3's d2i_X509 (extension caching, provider
// fetches) was half of an audit's time. Decoded certificates are never
// modified, so sharing them (X509_up_ref) is safe.
util::Result<X509Ptr> load_cert(std::string_view data, const std::string& source) {
    static std::mutex mutex;
    static std::unordered_map<std::string, X509Ptr> memo;
    constexpr std::size_t k_memo_limit = 256;
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (auto it = memo.find(std::string(data)); it != memo.end()) {
            X509_up_ref(it->second.get());
            return X509Ptr(it->second.get());
        }
    }
    auto decoded = decode_cert(data, source);
    if (!decoded) return decoded;
    std::lock_guard<std::mutex> lock(mutex);
    if (memo.size() >= k_memo_limit) memo.clear();
    X509_up_ref(decoded->get());
    memo.emplace(std::string(data), X509Ptr(decoded->get()));
    return decoded;
}

// Every certificate of a PEM bundle (or the single DER/base64 one).
util::Result<std::vector<X509Ptr>> load_cert_bundle(std::string_view data, const std::string& source) {
    std::vector<X509Ptr> certs;
    std::string_view trimmed = trim(data);
    // One certificate (the usual CA file): the memo of load_cert() serves it.
    const std::string_view begin = "-----BEGIN CERTIFICATE-----";
    const size_t first = trimmed.find(begin);
    if (is_pem(trimmed) && first != std::string_view::npos &&
        trimmed.find(begin, first + begin.size()) == std::string_view::npos) {
        auto one = load_cert(trimmed, source);
        if (!one.ok()) return one.error();
        certs.push_back(std::move(one.value()));
        return certs;
    }
    if (is_pem(trimmed)) {
        auto bio = memory_bio(trimmed);
        while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, no_password, nullptr)) certs.emplace_back(c);
        ERR_clear_error(); // the expected "no start line" at the end of the data
    } else {
        auto one = load_cert(trimmed, source);
        if (!one.ok()) return one.error();
        certs.push_back(std::move(one.value()));
    }
    if (certs.empty()) return make_error(ErrorCode::parse, source + ": no certificate found");
    return certs;
}

// A private key in PEM (PKCS#1, SEC1, PKCS#8), DER or base64 of either.
// The first PEM block's key decoded as the type its label names ("RSA
// PRIVATE KEY", "EC PRIVATE KEY", PKCS#8 "PRIVATE KEY"); null otherwise.
PkeyPtr load_labelled_pem_key(std::string_view pem) {
    auto bio = memory_bio(pem);
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* der = nullptr;
    long len = 0;
    PkeyPtr key;
    while (PEM_read_bio(bio.get(), &name, &header, &der, &len) == 1) {
        const std::string label = name;
        const unsigned char* p = der;
        if (label == "RSA PRIVATE KEY")
            key.reset(d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &p, len));
        else if (label == "EC PRIVATE KEY")
            key.reset(d2i_PrivateKey(EVP_PKEY_EC, nullptr, &p, len));
        else if (label == "PRIVATE KEY")
            key.reset(d2i_AutoPrivateKey(nullptr, &p, len));
        const bool key_block = label.find("PRIVATE KEY") != std::string::npos;
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(der);
        if (key || key_block) break; // the first key block decides; skip certificates before it
    }
    return key;
}

util::Result<PkeyPtr> load_key(std::string_view data, const std::string& source, bool allow_base64 = true) {
    // DER first and untrimmed: its last byte may well look like white space.
    if (!data.empty() && static_cast<unsigned char>(data.front()) == 0x30) {
        auto p = reinterpret_cast<const unsigned char*>(data.data());
        if (PkeyPtr key{d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(data.size()))}) return key;
        ERR_clear_error();
    }
    data = trim(data);
    if (is_pem(data)) {
        // Rationale: the generic PEM_read_bio_PrivateKey tries every decoder
        // OpenSSL has, four times slower than decoding the type the PEM
        // label names; an audit reads a dozen keys.
        if (PkeyPtr key = load_labelled_pem_key(data)) return key;
        ERR_clear_error();
        auto bio = memory_bio(data);
        PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
        if (!key) return make_error(ErrorCode::parse, source + ": not a usable private key: " + take_openssl_error());
        return key;
    }
    std::string decoded;
    if (allow_base64 && decode_base64(data, decoded)) {
        auto inner = load_key(decoded, source, false);
        if (inner.ok()) return inner;
    }
    ERR_clear_error();
    return make_error(ErrorCode::parse, source + ": not a PEM or DER private key");
}

std::vector<std::string> name_entries(const X509_NAME* name, int nid) {
    std::vector<std::string> values;
    for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0; i = X509_NAME_get_index_by_NID(name, nid, i))
        values.push_back(asn1_to_utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))));
    return values;
}

std::string first_entry(const X509_NAME* name, int nid) {
    int i = X509_NAME_get_index_by_NID(name, nid, -1);
    return i < 0 ? std::string() : asn1_to_utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
}

std::vector<std::string> subject_alt_names(X509* cert) {
    std::vector<std::string> sans;
    std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    if (!names) return sans;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
        switch (gn->type) {
        case GEN_DNS: sans.push_back("DNS:" + asn1_to_utf8(gn->d.dNSName)); break;
        case GEN_IPADD: sans.push_back("IP:" + ip_text(gn->d.iPAddress)); break;
        case GEN_URI: sans.push_back("URI:" + asn1_to_utf8(gn->d.uniformResourceIdentifier)); break;
        case GEN_EMAIL: sans.push_back("email:" + asn1_to_utf8(gn->d.rfc822Name)); break;
        default: break; // directory names, otherName: not used by Kubernetes
        }
    }
    return sans;
}

std::string key_usage_names(X509* cert) {
    // Same order and spelling as an OpenSSL config's keyUsage.
    static constexpr std::pair<std::uint32_t, const char*> k_bits[] = {
        {KU_DIGITAL_SIGNATURE, "digitalSignature"},
        {KU_NON_REPUDIATION, "nonRepudiation"},
        {KU_KEY_ENCIPHERMENT, "keyEncipherment"},
        {KU_DATA_ENCIPHERMENT, "dataEncipherment"},
        {KU_KEY_AGREEMENT, "keyAgreement"},
        {KU_KEY_CERT_SIGN, "keyCertSign"},
        {KU_CRL_SIGN, "cRLSign"},
        {KU_ENCIPHER_ONLY, "encipherOnly"},
        {KU_DECIPHER_ONLY, "decipherOnly"},
    };
    if (!(X509_get_extension_flags(cert) & EXFLAG_KUSAGE)) return {};
    std::uint32_t usage = X509_get_key_usage(cert);
    std::string out;
    for (const auto& [bit, name] : k_bits) {
        if (!(usage & bit)) continue;
        if (!out.empty()) out += ',';
        out += name;
    }
    return out;
}

std::string ext_key_usage_names(X509* cert) {
    std::unique_ptr<EXTENDED_KEY_USAGE, EkuFree> eku(
        static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr)));
    std::string out;
    if (!eku) return out;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
        const ASN1_OBJECT* obj = sk_ASN1_OBJECT_value(eku.get(), i);
        if (!out.empty()) out += ',';
        int nid = OBJ_obj2nid(obj);
        if (nid != NID_undef) {
            out += OBJ_nid2sn(nid);
        } else {
            char buf[128];
            OBJ_obj2txt(buf, sizeof buf, obj, 1);
            out += buf;
        }
    }
    return out;
}

// timegm works on 64-bit time_t, so dates past 2038 and before 1970 are exact.
std::int64_t to_unix(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return static_cast<std::int64_t>(timegm(&tm));
}

std::string hex_upper(const unsigned char* bytes, std::size_t n, const char* separator) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(n * 3);
    for (std::size_t i = 0; i < n; ++i) {
        if (i && *separator) out += separator;
        out += k_hex[bytes[i] >> 4];
        out += k_hex[bytes[i] & 0x0f];
    }
    return out;
}

std::string serial_hex(X509* cert) {
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
    int n = ASN1_STRING_length(serial);
    if (n <= 0) return "00";
    std::string hex = hex_upper(ASN1_STRING_get0_data(serial), static_cast<std::size_t>(n), "");
    return ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? "-" + hex : hex;
}

// SHA-256 is fetched once: an implicit fetch per certificate costs a lookup in the provider store.
const EVP_MD* sha256() {
    static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

std::string pem_of_der(const unsigned char* der, std::size_t n) {
    std::string b64(4 * ((n + 2) / 3) + 1, '\0');
    int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), der, static_cast<int>(n));
    b64.resize(static_cast<std::size_t>(len));
    std::string pem = "-----BEGIN CERTIFICATE-----\n";
    pem.reserve(b64.size() + b64.size() / 64 + 60);
    for (std::size_t i = 0; i < b64.size(); i += 64) {
        pem.append(b64, i, 64);
        pem += '\n';
    }
    pem += "-----END CERTIFICATE-----\n";
    return pem;
}

util::Result<CertDetails> details_of(X509* cert, const std::string& source) {
    CertDetails d;
    const X509_NAME* subject = X509_get_subject_name(cert);
    const X509_NAME* issuer = X509_get_issuer_name(cert);
    d.subject = name_rfc2253(subject);
    d.issuer = name_rfc2253(issuer);
    d.common_name = first_entry(subject, NID_commonName);
    d.issuer_common_name = first_entry(issuer, NID_commonName);
    d.organizations = name_entries(subject, NID_organizationName);
    d.sans = subject_alt_names(cert);
    d.key_usage = key_usage_names(cert);
    d.ext_key_usage = ext_key_usage_names(cert);
    d.is_ca = (X509_get_extension_flags(cert) & EXFLAG_CA) != 0;
    EVP_PKEY* key = X509_get0_pubkey(cert);
    if (!key) {
        ERR_clear_error();
        return make_error(ErrorCode::parse, source + ": certificate has an unsupported public key");
    }
    d.self_signed = X509_NAME_cmp(subject, issuer) == 0 && X509_verify(cert, key) == 1;
    ERR_clear_error(); // a failed self-verification is an answer, not an error
    d.not_before = to_unix(X509_get0_notBefore(cert));
    d.not_after = to_unix(X509_get0_notAfter(cert));
    d.serial = serial_hex(cert);
    d.public_key_algorithm = key_algorithm(key);
    d.public_key_bits = EVP_PKEY_get_bits(key);

    unsigned char* der = nullptr;
    int der_len = i2d_X509(cert, &der);
    if (der_len <= 0)
        return make_error(ErrorCode::parse, source + ": cannot re-encode certificate: " + take_openssl_error());
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EVP_Digest(der, static_cast<std::size_t>(der_len), digest, &digest_len, sha256(), nullptr);
    d.sha256_fingerprint = hex_upper(digest, digest_len, ":");
    d.pem = pem_of_der(der, static_cast<std::size_t>(der_len));
    OPENSSL_free(der);
    return d;
}

// Copies the extension `nid` of `from` as is (value and criticality), if present.
bool copy_extension(X509* from, X509* to, int nid) {
    int i = X509_get_ext_by_NID(from, nid, -1);
    if (i < 0) return true;
    return X509_add_ext(to, X509_get_ext(from, i), -1) == 1;
}

bool add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// 63 random bits, positive and non-zero, like Go's crypto/x509 callers do.
bool set_random_serial(X509* cert) {
    std::uint64_t value = 0;
    do {
        if (RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof value) != 1) return false;
        value &= 0x7fffffffffffffffULL;
    } while (value == 0);
    return ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), value) == 1;
}

// The leaf names its issuer by the CA's own subjectKeyIdentifier, copied.
// A CA without one (every CA of kubeadm before v1.19) gets leaves without
// authorityKeyIdentifier, as Go's crypto/x509 (so kubeadm itself) issues
// them. Why not a key id computed here (RFC 5280 method 1): if the CA is
// later re-issued on the same key with a subjectKeyIdentifier made another
// way, OpenSSL rejects a leaf whose key id disagrees; without one, chains
// are built by name and signature and keep verifying.
bool add_authority_key_id(X509* cert, X509* ca) {
    const ASN1_OCTET_STRING* ca_key_id = X509_get0_subject_key_id(ca);
    ERR_clear_error(); // no subjectKeyIdentifier is an answer, not an error
    if (!ca_key_id) return true;
    std::unique_ptr<AUTHORITY_KEYID, decltype(&AUTHORITY_KEYID_free)> akid(AUTHORITY_KEYID_new(), AUTHORITY_KEYID_free);
    if (!akid || !(akid->keyid = ASN1_OCTET_STRING_dup(ca_key_id))) return false;
    return X509_add1_ext_i2d(cert, NID_authority_key_identifier, akid.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

// The digest Go's crypto/x509 picks for the CA's key (so a renewal is signed
// like kubeadm signs): SHA-384 for P-384, SHA-512 for P-521, SHA-256 for RSA
// and P-256; none for Ed25519/Ed448, which hash internally.
const EVP_MD* signing_digest(const EVP_PKEY* ca_key) {
    switch (EVP_PKEY_get_base_id(ca_key)) {
    case EVP_PKEY_ED25519:
    case EVP_PKEY_ED448: return nullptr;
    case EVP_PKEY_EC: {
        const int bits = EVP_PKEY_get_bits(ca_key);
        if (bits > 384) return EVP_sha512();
        if (bits > 256) return EVP_sha384();
        return sha256();
    }
    default: return sha256();
    }
}

} // namespace

util::Result<CertDetails> parse_certificate(std::string_view data, const std::string& source) {
    auto cert = load_cert(data, source);
    if (!cert.ok()) return cert.error();
    return details_of(cert->get(), source);
}

util::Result<bool> key_matches_certificate(std::string_view key, std::string_view cert) {
    auto k = load_key(key, "private key");
    if (!k.ok()) return k.error();
    auto c = load_cert(cert, "certificate");
    if (!c.ok()) return c.error();
    const EVP_PKEY* pub = X509_get0_pubkey(c->get());
    bool same = pub && EVP_PKEY_eq(pub, k->get()) == 1;
    ERR_clear_error(); // a type mismatch is a "no", not an error
    return same;
}

util::Result<VerifyOutcome> verify_certificate(std::string_view cert, std::string_view ca_bundle,
                                               std::int64_t at_time) {
    auto leaf = load_cert(cert, "certificate");
    if (!leaf.ok()) return leaf.error();
    auto cas = load_cert_bundle(ca_bundle, "CA bundle");
    if (!cas.ok()) return cas.error();

    std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
    std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
    if (!store || !ctx) return make_error(ErrorCode::failed, "out of memory: " + take_openssl_error());
    for (const auto& ca : *cas) X509_STORE_add_cert(store.get(), ca.get());
    if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf->get(), nullptr) != 1)
        return make_error(ErrorCode::failed, "cannot set up verification: " + take_openssl_error());
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), static_cast<time_t>(at_time));

    VerifyOutcome outcome;
    outcome.ok = X509_verify_cert(ctx.get()) == 1;
    if (!outcome.ok) outcome.reason = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    ERR_clear_error();
    return outcome;
}

util::Result<IssuedPair> issue_certificate(std::string_view template_cert, std::string_view ca_cert,
                                           std::string_view ca_key, std::int64_t now, std::int64_t validity_seconds,
                                           std::string_view old_key) {
    auto tmpl = load_cert(template_cert, "template certificate");
    if (!tmpl.ok()) return tmpl.error();
    auto ca = load_cert(ca_cert, "CA certificate");
    if (!ca.ok()) return ca.error();
    auto signer = load_key(ca_key, "CA key");
    if (!signer.ok()) return signer.error();
    const EVP_PKEY* ca_pub = X509_get0_pubkey(ca->get());
    if (!ca_pub || EVP_PKEY_eq(ca_pub, signer->get()) != 1) {
        ERR_clear_error();
        return make_error(ErrorCode::invalid, "CA key does not match the CA certificate");
    }
    const EVP_PKEY* tmpl_pub = X509_get0_pubkey(tmpl->get());
    if (!tmpl_pub) return make_error(ErrorCode::parse, "template certificate: unsupported public key");

    // The new key is shaped like the old key when it decodes, else like the
    // template's public key: an unreadable old key is what a renewal repairs,
    // so it must not stop one. Its PEM label alone still picks the encoding.
    PkeyPtr old;
    if (!old_key.empty()) {
        if (auto decoded = load_key(old_key, "old key"); decoded.ok()) old = std::move(decoded.value());
        ERR_clear_error();
    }
    auto key = generate_key_like(old ? old.get() : tmpl_pub);
    if (!key.ok()) return make_error(key.error().code, "template certificate: " + key.error().message);

    X509Ptr cert(X509_new());
    auto fail = [](const char* what) {
        return make_error(ErrorCode::failed,
                          std::string("cannot build certificate (") + what + "): " + take_openssl_error());
    };
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) return fail("version");
    if (!set_random_serial(cert.get())) return fail("serial");
    if (X509_set_subject_name(cert.get(), X509_get_subject_name(tmpl->get())) != 1 ||
        X509_set_issuer_name(cert.get(), X509_get_subject_name(ca->get())) != 1)
        return fail("names");
    // A little backdating absorbs clock skew between nodes, like kubeadm.
    if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(now - 300)) ||
        !ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(now + validity_seconds)))
        return fail("validity");
    if (X509_set_pubkey(cert.get(), key->get()) != 1) return fail("public key");

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca->get(), cert.get(), nullptr, nullptr, 0);
    if (!add_extension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE")) return fail("basicConstraints");
    if (!copy_extension(tmpl->get(), cert.get(), NID_key_usage) ||
        !copy_extension(tmpl->get(), cert.get(), NID_ext_key_usage) ||
        !copy_extension(tmpl->get(), cert.get(), NID_subject_alt_name))
        return fail("copied extensions");
    if (!add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash")) return fail("subjectKeyIdentifier");
    if (!add_authority_key_id(cert.get(), ca->get())) return fail("authorityKeyIdentifier");

    if (X509_sign(cert.get(), signer->get(), signing_digest(signer->get())) <= 0) return fail("signature");

    auto key_pem = encode_private_key(key->get(), old_key.empty() ? KeyEncoding::unknown : key_encoding_of(old_key));
    if (!key_pem.ok()) return key_pem.error();
    unsigned char* der = nullptr;
    int der_len = i2d_X509(cert.get(), &der);
    if (der_len <= 0) return fail("encoding");
    IssuedPair pair{pem_of_der(der, static_cast<std::size_t>(der_len)), std::move(*key_pem)};
    OPENSSL_free(der);
    return pair;
}

} // namespace kubecert::x509
