#include "secrets/key_summary.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <kubecert/util/base64.hpp>

#include "x509/openssl_ptr.hpp"

#include <memory>

namespace kubecert::secrets {

namespace {

// Never prompt, never decrypt: an encrypted key stays unread.
int no_passphrase(char*, int, int, void*) {
    return -1;
}

std::string algorithm_of(const EVP_PKEY* key) {
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: return "RSA";
    case EVP_PKEY_EC: return "ECDSA";
    case EVP_PKEY_ED25519: return "Ed25519";
    case EVP_PKEY_ED448: return "Ed448";
    default: {
        const char* name = EVP_PKEY_get0_type_name(key);
        return name ? name : "unknown";
    }
    }
}

std::string public_key_sha256(EVP_PKEY* key) {
    unsigned char* der = nullptr;
    const int n = i2d_PUBKEY(key, &der);
    if (n <= 0) return "";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    const bool ok = EVP_Digest(der, static_cast<std::size_t>(n), digest, &size, EVP_sha256(), nullptr) == 1;
    OPENSSL_free(der);
    if (!ok) return "";
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

} // namespace

std::optional<std::string> describe_private_key(std::string_view data) {
    std::string pem(data);
    if (pem.find("-----BEGIN ") == std::string::npos) {
        auto decoded = util::base64_decode(data);
        if (!decoded || decoded->find("-----BEGIN ") == std::string::npos) return std::nullopt;
        pem = std::move(*decoded);
    }
    if (pem.find("PRIVATE KEY-----") == std::string::npos) return std::nullopt;
    if (pem.find("ENCRYPTED PRIVATE KEY") != std::string::npos ||
        pem.find("Proc-Type: 4,ENCRYPTED") != std::string::npos)
        return std::string("encrypted private key");
    x509::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    x509::PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
    ERR_clear_error();
    if (!key) return std::string("unreadable private key");
    return algorithm_of(key.get()) + " " + std::to_string(EVP_PKEY_get_bits(key.get())) +
           ", public key sha256:" + public_key_sha256(key.get());
}

} // namespace kubecert::secrets
