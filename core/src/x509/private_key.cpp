#include "x509/private_key.hpp"
#include "x509/openssl_error.hpp"

#include <cctype>
#include <utility>

#include <kubecert/util/base64.hpp>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace kubecert::x509 {
namespace {

using util::ErrorCode;
using util::make_error;

KeyEncoding encoding_of_label(std::string_view label) {
    if (label == "RSA PRIVATE KEY") return KeyEncoding::pkcs1;
    if (label == "EC PRIVATE KEY") return KeyEncoding::sec1;
    if (label == "PRIVATE KEY") return KeyEncoding::pkcs8;
    return KeyEncoding::unknown; // "ENCRYPTED PRIVATE KEY" and the like: nothing kubeadm writes
}

// The label of the first PEM block whose label ends in "PRIVATE KEY" (a
// combined file may hold the certificate first).
std::string_view first_private_key_label(std::string_view pem) {
    constexpr std::string_view begin = "-----BEGIN ", dashes = "-----", suffix = "PRIVATE KEY";
    for (std::size_t pos = pem.find(begin); pos != std::string_view::npos; pos = pem.find(begin, pos + 1)) {
        const std::size_t start = pos + begin.size();
        const std::size_t end = pem.find(dashes, start);
        if (end == std::string_view::npos) break;
        const std::string_view label = pem.substr(start, end - start);
        if (label.size() >= suffix.size() && label.substr(label.size() - suffix.size()) == suffix) return label;
    }
    return {};
}

// DER: a PKCS#8 PrivateKeyInfo, else an RSAPrivateKey or ECPrivateKey.
KeyEncoding encoding_of_der(std::string_view der) {
    auto p = reinterpret_cast<const unsigned char*>(der.data());
    const long n = static_cast<long>(der.size());
    KeyEncoding found = KeyEncoding::unknown;
    if (PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, n)) {
        PKCS8_PRIV_KEY_INFO_free(info);
        found = KeyEncoding::pkcs8;
    } else if (p = reinterpret_cast<const unsigned char*>(der.data());
               EVP_PKEY* rsa = d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &p, n)) {
        EVP_PKEY_free(rsa);
        found = KeyEncoding::pkcs1;
    } else if (p = reinterpret_cast<const unsigned char*>(der.data());
               EVP_PKEY* ec = d2i_PrivateKey(EVP_PKEY_EC, nullptr, &p, n)) {
        EVP_PKEY_free(ec);
        found = KeyEncoding::sec1;
    }
    ERR_clear_error(); // the decoders that did not fit are answers, not errors
    return found;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// Base64 that may be wrapped on several lines (a kubeconfig's *-data) to bytes; false when `text`
// is not padded base64.
bool decode_base64(std::string_view text, std::string& out) {
    auto bytes = util::base64_decode(text, util::Base64Padding::required);
    if (!bytes) return false;
    out = std::move(*bytes);
    return true;
}

KeyEncoding encoding_of(std::string_view data, bool allow_base64) {
    if (!data.empty() && static_cast<unsigned char>(data.front()) == 0x30) {
        if (auto der = encoding_of_der(data); der != KeyEncoding::unknown) return der;
    }
    data = trim(data);
    if (data.find("-----BEGIN ") != std::string_view::npos) return encoding_of_label(first_private_key_label(data));
    std::string decoded;
    if (allow_base64 && decode_base64(data, decoded)) return encoding_of(decoded, false);
    return KeyEncoding::unknown;
}

} // namespace

KeyEncoding key_encoding_of(std::string_view stored_key) {
    return encoding_of(stored_key, true);
}

util::Result<OwnedPkey> generate_key_like(const EVP_PKEY* like) {
    EVP_PKEY* key = nullptr;
    switch (EVP_PKEY_get_base_id(like)) {
    case EVP_PKEY_RSA: {
        const int bits = EVP_PKEY_get_bits(like);
        if (bits < 1024) return make_error(ErrorCode::invalid, "RSA key too small (" + std::to_string(bits) + " bits)");
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits));
        break;
    }
    case EVP_PKEY_EC: {
        char group[80] = {};
        if (!EVP_PKEY_get_utf8_string_param(like, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, nullptr))
            return make_error(ErrorCode::failed, "unknown EC curve: " + take_openssl_error());
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group);
        break;
    }
    case EVP_PKEY_ED25519: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
    case EVP_PKEY_ED448: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448"); break;
    default:
        return make_error(ErrorCode::invalid,
                          std::string("unsupported key algorithm ") + EVP_PKEY_get0_type_name(like));
    }
    if (!key) return make_error(ErrorCode::failed, "key generation failed: " + take_openssl_error());
    return OwnedPkey(key);
}

util::Result<std::string> encode_private_key(EVP_PKEY* key, KeyEncoding encoding) {
    const int base = EVP_PKEY_get_base_id(key);
    const bool traditional_fits = (encoding == KeyEncoding::pkcs1 && base == EVP_PKEY_RSA) ||
                                  (encoding == KeyEncoding::sec1 && base == EVP_PKEY_EC);
    const bool kubeadm_default = base == EVP_PKEY_RSA || base == EVP_PKEY_EC;
    const bool traditional = traditional_fits || (encoding != KeyEncoding::pkcs8 && kubeadm_default);
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) return make_error(ErrorCode::failed, "out of memory");
    const int ok = traditional
                       ? PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                       : PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    if (ok != 1) return make_error(ErrorCode::failed, "cannot encode the new private key: " + take_openssl_error());
    char* text = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &text);
    return std::string(text, static_cast<std::size_t>(n));
}

} // namespace kubecert::x509
