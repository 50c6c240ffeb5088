#include "pki.hpp"

#include "test_support.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace kubecert::test {
namespace {

struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioFree {
    void operator()(BIO* p) const { BIO_free(p); }
};
struct ExtFree {
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// Test helpers fail loudly: a broken fixture must stop the test, not skew it.
[[noreturn]] void fail(const std::string& what) {
    char buf[256] = "no OpenSSL error";
    if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    throw std::runtime_error("pki: " + what + ": " + buf);
}

struct BnFree {
    void operator()(BIGNUM* p) const { BN_clear_free(p); }
};
struct BnCtxFree {
    void operator()(BN_CTX* p) const { BN_CTX_free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

BnPtr prime(int bits, const BIGNUM* e) {
    std::unique_ptr<BN_CTX, BnCtxFree> ctx(BN_CTX_new());
    BnPtr p(BN_new()), p1(BN_new()), gcd(BN_new());
    do {
        if (!BN_generate_prime_ex2(p.get(), bits, 0, nullptr, nullptr, nullptr, ctx.get())) fail("prime");
        BN_sub(p1.get(), p.get(), BN_value_one());
        BN_gcd(gcd.get(), p1.get(), e, ctx.get());
    } while (!BN_is_one(gcd.get()));
    return p;
}

// RSA from two primes searched in parallel: OpenSSL 3's own 2048-bit path
// (SP 800-56B plus pairwise test) costs ~3x more, and tests make many keys.
// Independent of the core's generator on purpose: tests must not trust it.
PkeyPtr rsa_key(int bits) {
    BnPtr e(BN_new());
    BN_set_word(e.get(), RSA_F4);
    BnPtr q;
    std::thread helper([&] { q = prime(bits / 2, e.get()); });
    BnPtr p = prime(bits - bits / 2, e.get());
    helper.join();
    if (BN_cmp(p.get(), q.get()) == 0) return rsa_key(bits);
    std::unique_ptr<BN_CTX, BnCtxFree> ctx(BN_CTX_new());
    BnPtr n(BN_new()), p1(BN_new()), q1(BN_new()), phi(BN_new()), d(BN_new()), dmp1(BN_new()), dmq1(BN_new()),
        iqmp(BN_new());
    BN_mul(n.get(), p.get(), q.get(), ctx.get());
    BN_sub(p1.get(), p.get(), BN_value_one());
    BN_sub(q1.get(), q.get(), BN_value_one());
    BN_mul(phi.get(), p1.get(), q1.get(), ctx.get());
    if (!BN_mod_inverse(d.get(), e.get(), phi.get(), ctx.get()) || !BN_mod(dmp1.get(), d.get(), p1.get(), ctx.get()) ||
        !BN_mod(dmq1.get(), d.get(), q1.get(), ctx.get()) || !BN_mod_inverse(iqmp.get(), q.get(), p.get(), ctx.get()))
        fail("RSA parameters");
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n.get());
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e.get());
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d.get());
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p.get());
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q.get());
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1.get());
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1.get());
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp.get());
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
    EVP_PKEY* key = nullptr;
    bool ok = params && pctx && EVP_PKEY_fromdata_init(pctx) == 1 &&
              EVP_PKEY_fromdata(pctx, &key, EVP_PKEY_KEYPAIR, params) == 1;
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    if (!ok) fail("RSA key");
    return PkeyPtr(key);
}

PkeyPtr new_key(const CertSpec& spec) {
    EVP_PKEY* key = nullptr;
    if (spec.key_type == "rsa")
        return rsa_key(spec.rsa_bits);
    else if (spec.key_type == "ec")
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    else if (spec.key_type == "ed25519")
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    else
        throw std::runtime_error("pki: unknown key_type " + spec.key_type);
    if (!key) fail("key generation");
    return PkeyPtr(key);
}

PkeyPtr read_key(const std::string& pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) fail("issuer key");
    return key;
}

X509Ptr read_cert(const std::string& pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) fail("issuer certificate");
    return cert;
}

void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
    std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail("extension " + std::string(OBJ_nid2sn(nid)) + "=" + value);
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

// Builds and signs the certificate; `issuer_cert` null means self-signed.
KeyPair build(const CertSpec& spec, X509* issuer_cert, EVP_PKEY* issuer_key) {
    PkeyPtr key = new_key(spec);
    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) fail("new certificate");

    std::uint64_t serial = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial);
    ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), (serial & 0x7fffffffffffffffULL) | 1);

    X509_NAME* name = X509_get_subject_name(cert.get());
    for (const auto& org : spec.organizations)
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(org.c_str()), -1,
                                   -1, 0);
    if (!spec.common_name.empty())
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), issuer_cert ? X509_get_subject_name(issuer_cert) : name);

    if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(spec.not_before)) ||
        !ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(spec.not_after)))
        fail("validity");
    X509_set_pubkey(cert.get(), key.get());

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer_cert ? issuer_cert : cert.get(), cert.get(), nullptr, nullptr, 0);
    if (spec.is_ca) {
        add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment,keyCertSign");
    } else {
        add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(cert.get(), &ctx, NID_key_usage,
                "critical," +
                    (spec.key_usage.empty() ? std::string("digitalSignature,keyEncipherment") : spec.key_usage));
    }
    std::string eku;
    if (spec.server_auth) eku = "serverAuth";
    if (spec.client_auth) eku += eku.empty() ? "clientAuth" : ",clientAuth";
    if (!eku.empty()) add_ext(cert.get(), &ctx, NID_ext_key_usage, eku);
    if (!spec.sans.empty()) {
        std::string sans;
        for (const auto& san : spec.sans) sans += (sans.empty() ? "" : ",") + san;
        add_ext(cert.get(), &ctx, NID_subject_alt_name, sans);
    }
    add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash");
    if (issuer_cert) add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid");

    EVP_PKEY* signer = issuer_key ? issuer_key : key.get();
    int signer_type = EVP_PKEY_get_base_id(signer);
    const EVP_MD* md = signer_type == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
    if (X509_sign(cert.get(), signer, md) <= 0) fail("signature");

    KeyPair pair;
    BioPtr cert_bio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) fail("certificate PEM");
    pair.cert_pem = bio_text(cert_bio.get());
    BioPtr key_bio(BIO_new(BIO_s_mem()));
    int ok = EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA
                 ? PEM_write_bio_PrivateKey_traditional(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)
                 : PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    if (ok != 1) fail("key PEM");
    pair.key_pem = bio_text(key_bio.get());
    return pair;
}

} // namespace

// Whether a PEM certificate carries subjectKeyIdentifier.
bool ca_has_subject_key_id(const std::string& cert_pem) {
    X509Ptr cert = read_cert(cert_pem);
    const bool has = X509_get0_subject_key_id(cert.get()) != nullptr;
    ERR_clear_error();
    return has;
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

KeyPair make_self_signed(const CertSpec& spec) {
    return build(spec, nullptr, nullptr);
}

KeyPair make_signed(const CertSpec& spec, const KeyPair& issuer) {
    X509Ptr issuer_cert = read_cert(issuer.cert_pem);
    PkeyPtr issuer_key = read_key(issuer.key_pem);
    return build(spec, issuer_cert.get(), issuer_key.get());
}

namespace {

// `openssl ARGS...` must succeed: a broken fixture stops the test.
void openssl_cli(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcResult r = run(argv, {}, "", 60);
    if (r.exit_code != 0) throw std::runtime_error("pki: openssl " + args.front() + " failed: " + r.err);
}

// A fresh file name in `dir`.
std::string fresh(const std::string& dir, const std::string& stem) {
    static std::atomic<int> counter{0};
    return dir + "/" + stem + "-" + std::to_string(++counter);
}

} // namespace

std::string openssl_key(const std::string& dir, const std::string& key, const std::string& encoding) {
    const auto colon = key.find(':');
    const std::string algorithm = key.substr(0, colon), param = key.substr(colon + 1);
    const std::string path = fresh(dir, "key") + ".key";
    // genpkey writes PKCS#8; the traditional forms are converted from it.
    if (algorithm == "rsa")
        openssl_cli({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:" + param, "-out", path + ".p8"});
    else if (algorithm == "ec")
        openssl_cli({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + param, "-out", path + ".p8"});
    else
        throw std::runtime_error("pki: unknown key " + key);
    if (encoding == "pkcs8")
        copy_file(path + ".p8", path, 0600);
    else if (encoding == "pkcs1" && algorithm == "rsa")
        openssl_cli({"rsa", "-in", path + ".p8", "-traditional", "-out", path});
    else if (encoding == "sec1" && algorithm == "ec")
        openssl_cli({"ec", "-in", path + ".p8", "-out", path});
    else
        throw std::runtime_error("pki: no " + encoding + " encoding for " + key);
    return path;
}

KeyPair openssl_ca(const std::string& dir, const std::string& common_name, const std::string& key, bool with_key_id) {
    const std::string key_file = openssl_key(dir, key, key.rfind("rsa", 0) == 0 ? "pkcs1" : "sec1");
    const std::string cnf = fresh(dir, "ca") + ".cnf", cert = fresh(dir, "ca") + ".crt";
    // OpenSSL 3 adds both key identifiers by default: "none" is how to leave them out.
    write_file(cnf, "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = " + common_name +
                        "\n[v3_ca]\nbasicConstraints = critical,CA:TRUE\n"
                        "keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign\n" +
                        (with_key_id ? "subjectKeyIdentifier = hash\n"
                                     : "subjectKeyIdentifier = none\nauthorityKeyIdentifier = none\n"));
    openssl_cli({"req", "-x509", "-new", "-key", key_file, "-config", cnf, "-extensions", "v3_ca", "-days", "3650",
                 "-out", cert});
    return {read_file(cert), read_file(key_file)};
}

KeyPair openssl_leaf(const std::string& dir, const std::string& common_name, const KeyPair& ca, const std::string& key,
                     const std::string& encoding) {
    const std::string key_file = openssl_key(dir, key, encoding);
    const std::string base = fresh(dir, "leaf");
    write_file(base + "-ca.crt", ca.cert_pem);
    write_file(base + "-ca.key", ca.key_pem, 0600);
    const bool ca_has_key_id = ca_has_subject_key_id(ca.cert_pem);
    write_file(base + ".ext",
               "basicConstraints = critical,CA:FALSE\n"
               "keyUsage = critical,digitalSignature,keyEncipherment\n"
               "extendedKeyUsage = serverAuth,clientAuth\n"
               "subjectAltName = DNS:kubernetes,DNS:kubernetes.default.svc,IP:10.96.0.1\n"
               "subjectKeyIdentifier = hash\n" +
                   std::string(ca_has_key_id ? "authorityKeyIdentifier = keyid\n" : "authorityKeyIdentifier = none\n"));
    openssl_cli(
        {"req", "-new", "-key", key_file, "-subj", "/O=system:masters/CN=" + common_name, "-out", base + ".csr"});
    openssl_cli({"x509", "-req", "-in", base + ".csr", "-CA", base + "-ca.crt", "-CAkey", base + "-ca.key",
                 "-CAcreateserial", "-days", "30", "-extfile", base + ".ext", "-out", base + ".crt"});
    return {read_file(base + ".crt"), read_file(key_file)};
}

} // namespace kubecert::test
