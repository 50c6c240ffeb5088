#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "util/result.hpp"
#include "x509/openssl_ptr.hpp"

// New private keys for renewals: OpenSSL's own generation, and the PEM
// encoding of the key they replace.
namespace kubecert::x509 {

using OwnedPkey = PkeyPtr;

// How a private key is stored in PEM.
enum class KeyEncoding {
    unknown, // no old key, or none recognised: kubeadm's defaults
    pkcs1,   // "RSA PRIVATE KEY"
    sec1,    // "EC PRIVATE KEY"
    pkcs8,   // "PRIVATE KEY"
};

// The encoding of a stored key: PEM (its first private-key block decides),
// DER, or base64 of either (a kubeconfig's client-key-data). Reads only the
// structure, so a key that does not decode still tells its label.
KeyEncoding key_encoding_of(std::string_view stored_key);

// A new key of the same algorithm and size as `like` (RSA modulus bits, EC
// curve, Ed25519/Ed448), made by OpenSSL's own generation (EVP_PKEY_Q_keygen:
// approved methods and the pairwise consistency test).
util::Result<OwnedPkey> generate_key_like(const EVP_PKEY* like);

// `key` as PEM in `encoding` when that encoding can hold it (PKCS#1 only RSA,
// SEC1 only EC); otherwise, and for `unknown`, as kubeadm writes keys:
// PKCS#1 for RSA, SEC1 for EC, PKCS#8 for the rest.
util::Result<std::string> encode_private_key(EVP_PKEY* key, KeyEncoding encoding);

} // namespace kubecert::x509
