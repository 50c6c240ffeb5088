// x509::parse_csr on requests made at test time with the openssl command
// line (csr_requests.hpp), cross-checked with what `openssl req` itself prints.
#include <gtest/gtest.h>

#include "csr_requests.hpp"
#include "test_support.hpp"
#include "x509/csr.hpp"

namespace kubecert::x509 {
namespace {

// The subject of `pem` as `openssl req -subject -nameopt RFC2253` prints it.
std::string openssl_subject(const std::string& pem) {
    auto out = test::run({"openssl", "req", "-noout", "-subject", "-nameopt", "RFC2253"}, {}, pem).out;
    out = out.substr(out.find('=') + 1);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

TEST(X509Csr, AnRsaRequestWithMoreThanCnAndO) {
    test::TempDir dir;
    const std::string pem =
        test::openssl_csr(dir.path(), {"/C=DE/O=system:nodes/O=second org/OU=ops/CN=system:node:worker-2",
                                       "DNS:worker-2,IP:192.168.1.20", "rsa:2048"});
    const auto csr = parse_csr(pem, "req.pem");
    ASSERT_TRUE(csr) << csr.error().message;
    EXPECT_EQ(csr->subject, openssl_subject(pem));
    EXPECT_EQ(csr->common_name, "system:node:worker-2");
    EXPECT_EQ(csr->organizations, (std::vector<std::string>{"system:nodes", "second org"}));
    EXPECT_TRUE(csr->other_subject_attributes) << "C and OU are more than CN and O";
    EXPECT_EQ(csr->dns_names, (std::vector<std::string>{"worker-2"}));
    EXPECT_EQ(csr->ip_addresses, (std::vector<std::string>{"192.168.1.20"}));
    EXPECT_TRUE(csr->email_addresses.empty());
    EXPECT_EQ(csr->key_type, "RSA");
    EXPECT_EQ(csr->key_bits, 2048);
    EXPECT_TRUE(csr->signature_valid);
}

TEST(X509Csr, AnEd25519RequestWithoutAltNames) {
    test::TempDir dir;
    const std::string pem = test::openssl_csr(dir.path(), {"/CN=system:node:w3/O=system:nodes", "", "ed25519"});
    const auto csr = parse_csr(pem, "req.pem");
    ASSERT_TRUE(csr) << csr.error().message;
    EXPECT_EQ(csr->subject, openssl_subject(pem));
    EXPECT_EQ(csr->subject, "O=system:nodes,CN=system:node:w3") << "RFC 2253 lists the last attribute first";
    EXPECT_FALSE(csr->other_subject_attributes);
    EXPECT_TRUE(csr->dns_names.empty());
    EXPECT_TRUE(csr->ip_addresses.empty());
    EXPECT_EQ(csr->key_type, "ED25519");
    EXPECT_TRUE(csr->signature_valid);
}

TEST(X509Csr, ATamperedRequestParsesButItsSignatureDoesNotVerify) {
    test::TempDir dir;
    std::string pem = test::openssl_csr(dir.path(), {"/CN=system:node:w4/O=system:nodes", "", "rsa:2048"});
    // The signature is the last part of the DER: change a base64 digit of the last body line.
    const size_t end = pem.find("\n-----END");
    char& digit = pem[end - 5];
    digit = digit == 'A' ? 'B' : 'A';
    test::write_file(dir.path() + "/req.pem", pem);
    const auto csr = parse_csr(pem, "req.pem");
    ASSERT_TRUE(csr) << csr.error().message;
    EXPECT_FALSE(csr->signature_valid);
    // openssl 3.0 exits 0 either way; it says which.
    const auto verified = test::run({"openssl", "req", "-in", dir.path() + "/req.pem", "-noout", "-verify"});
    EXPECT_NE((verified.out + verified.err).find("verify failure"), std::string::npos) << "openssl agrees";
}

TEST(X509Csr, MalformedInputNamesTheSource) {
    const auto none = parse_csr("hello", "spec.request of csr-abc");
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, util::ErrorCode::parse);
    EXPECT_NE(none.error().message.find("spec.request of csr-abc"), std::string::npos);
    const auto garbage =
        parse_csr("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n", "csr-def");
    ASSERT_FALSE(garbage);
    EXPECT_NE(garbage.error().message.find("csr-def: malformed certificate request"), std::string::npos)
        << garbage.error().message;
}

} // namespace
} // namespace kubecert::x509
