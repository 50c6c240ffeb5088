// The core's last gate against key material in outputs (secrets/), and how a
// changed key is shown instead (host/change_display).
#include <gtest/gtest.h>

#include <cstdio>

#include <kubecert/util/base64.hpp>

#include "host/change_display.hpp"
#include "pki.hpp"
#include "secrets/key_material.hpp"
#include "secrets/key_summary.hpp"
#include "secrets/known_secrets.hpp"
#include "test_support.hpp"

using namespace kubecert;
using namespace kubecert::test;

namespace {

KeyPair fresh_pair(const std::string& key_type = "rsa", std::int64_t days = 1) {
    CertSpec spec;
    spec.common_name = "secret-test";
    spec.not_before = now_seconds() - k_day;
    spec.not_after = now_seconds() + days * k_day;
    spec.key_type = key_type;
    return make_self_signed(spec);
}

// A line of the key's PEM body, which no redacted text may contain.
std::string body_line(const std::string& pem) {
    const auto start = pem.find('\n') + 1;
    return pem.substr(start, 64);
}

std::string json_escaped_newlines(std::string s) {
    for (std::size_t at = 0; (at = s.find('\n', at)) != std::string::npos; at += 2) s.replace(at, 1, "\\n");
    return s;
}

} // namespace

TEST(SecretsKeyMaterial, RedactsPemBlocksWholeCutOffAndJsonEscaped) {
    const auto pair = fresh_pair();
    const auto line = body_line(pair.key_pem);
    for (const auto& text : {"before\n" + pair.key_pem + "after\n", "before " + pair.key_pem.substr(0, 300),
                             "{\"detail\":\"" + json_escaped_newlines(pair.key_pem) + "\"}"}) {
        ASSERT_TRUE(secrets::contains_key_material(text));
        const auto clean = secrets::redact_key_material(text);
        EXPECT_EQ(clean.find("PRIVATE KEY"), std::string::npos) << clean;
        EXPECT_EQ(clean.find(line.substr(0, 40)), std::string::npos) << clean;
        EXPECT_NE(clean.find(secrets::k_redacted), std::string::npos);
        if (text[0] == 'b') {
            EXPECT_EQ(clean.rfind("before", 0), 0u) << clean;
        }
    }
    // What is around the key stays, and JSON stays JSON.
    EXPECT_EQ(secrets::redact_key_material("{\"detail\":\"" + json_escaped_newlines(pair.key_pem) + "\"}"),
              "{\"detail\":\"[private key redacted]\\n\"}");
}

TEST(SecretsKeyMaterial, RedactsBase64OfAKeyAndKeyDataValuesInEveryNotation) {
    const auto pair = fresh_pair("ec");
    const auto b64 = util::base64_encode(pair.key_pem);
    for (const auto& text : {"client-key-data: " + b64, "\"client-key-data\": \"" + b64 + "\"",
                             "CLIENT_KEY_DATA=" + b64, "seen " + b64 + " here"}) {
        const auto clean = secrets::redact_key_material(text);
        EXPECT_EQ(clean.find(b64.substr(0, 24)), std::string::npos) << clean;
        EXPECT_NE(clean.find(secrets::k_redacted), std::string::npos) << clean;
    }
    EXPECT_EQ(secrets::redact_key_material("client-key-data: " + b64), "client-key-data: [private key redacted]");
}

// Found by fuzz/fuzz_key_material: a BEGIN line that is not a key's, whose
// closing dashes are the opening dashes of a key's BEGIN line, hid that key.
TEST(SecretsKeyMaterial, KeyRightAfterAnUnterminatedOtherBeginLineIsRedacted) {
    const auto pair = fresh_pair("ec");
    for (const std::string& before : {std::string("-----BEGIN RSA P"), "-----BEGIN " + std::string(100, 'x'),
                                      std::string("-----BEGIN CERTIFICATE\n")}) {
        const std::string text = "log: " + before + pair.key_pem;
        ASSERT_TRUE(secrets::contains_key_material(text)) << text;
        const auto clean = secrets::redact_key_material(text);
        EXPECT_EQ(clean.find("PRIVATE KEY"), std::string::npos) << clean;
        EXPECT_EQ(clean.find(body_line(pair.key_pem).substr(0, 40)), std::string::npos) << clean;
    }
}

TEST(SecretsKeyMaterial, LeavesCertificatesPublicKeysAndWordsAlone) {
    const auto pair = fresh_pair();
    const auto cert_b64 = util::base64_encode(pair.cert_pem);
    const std::string text = pair.cert_pem + "client-certificate-data: " + cert_b64 +
                             "\nprivate key replaced (RSA 2048, new public key sha256:abcd)\nclient-key-data: null\n";
    EXPECT_FALSE(secrets::contains_key_material(text));
    EXPECT_EQ(secrets::redact_key_material(text), text);
}

TEST(SecretsKnownSecrets, RemovesLinesOfAKeySeenBeforeEvenWithoutItsHeader) {
    const auto pair = fresh_pair();
    secrets::KnownSecrets known;
    known.remember("apiVersion: v1\n" + pair.key_pem);
    // A diff hunk of a key's middle lines has no BEGIN line for a pattern to find.
    const std::string hunk = "@@ -3,2 +3,2 @@\n-" + body_line(pair.key_pem) + "\n+something else\n";
    ASSERT_FALSE(secrets::contains_key_material(hunk));
    const auto clean = known.scrub(hunk);
    EXPECT_EQ(clean.find(body_line(pair.key_pem)), std::string::npos) << clean;
    EXPECT_NE(clean.find("+something else"), std::string::npos);
    // A key inside a kubeconfig's base64 is remembered by its value and by its lines.
    const auto other = fresh_pair();
    known.remember("users:\n- user:\n    client-key-data: " + util::base64_encode(other.key_pem) + "\n");
    EXPECT_EQ(known.scrub("-" + body_line(other.key_pem)), "-" + std::string(secrets::k_redacted));
}

TEST(SecretsLineScrubber, HoldsBackAPemBlockThatArrivesInPieces) {
    const auto pair = fresh_pair();
    std::FILE* out = std::tmpfile();
    ASSERT_NE(out, nullptr);
    {
        secrets::LineScrubber scrubber(out);
        const std::string stream = "starting\n" + pair.key_pem + "done\n";
        for (std::size_t at = 0; at < stream.size(); at += 7) scrubber.write(stream.substr(at, 7));
    }
    std::rewind(out);
    std::string seen;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, out)) > 0;) seen.append(buf, n);
    std::fclose(out);
    EXPECT_EQ(seen, "starting\n[private key redacted]\ndone\n");
}

TEST(SecretsKeySummary, NamesAlgorithmSizeAndTheFingerprintOpensslComputes) {
    TempDir dir;
    for (const auto* type : {"rsa", "ec"}) {
        const auto pair = fresh_pair(type);
        write_file(dir.path() + "/k.pem", pair.key_pem, 0600);
        const auto r =
            run({"sh", "-c", "openssl pkey -in '" + dir.path() + "/k.pem' -pubout -outform DER | sha256sum"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        const auto expected = std::string(type == std::string("rsa") ? "RSA 2048" : "ECDSA 256") +
                              ", public key sha256:" + r.out.substr(0, 64);
        EXPECT_EQ(secrets::describe_private_key(pair.key_pem).value_or(""), expected);
        EXPECT_EQ(secrets::describe_private_key(util::base64_encode(pair.key_pem)).value_or(""), expected);
    }
    EXPECT_FALSE(secrets::describe_private_key(fresh_pair().cert_pem).has_value());
}

TEST(ChangeDisplay, AKeyFileChangeNamesBothKeysAndShowsNeither) {
    const auto before = fresh_pair(), after = fresh_pair();
    const auto shown = host::describe_change("/etc/kubernetes/pki/apiserver.key", before.key_pem, after.key_pem);
    const auto old_summary = *secrets::describe_private_key(before.key_pem);
    const auto new_summary = *secrets::describe_private_key(after.key_pem);
    EXPECT_EQ(shown.rfind("private key replaced (RSA 2048, new public key sha256:" +
                              new_summary.substr(new_summary.find("sha256:") + 7) + ")\n",
                          0),
              0u)
        << shown;
    EXPECT_NE(shown.find("-<private key: " + old_summary + ">"), std::string::npos) << shown;
    EXPECT_NE(shown.find("+<private key: " + new_summary + ">"), std::string::npos) << shown;
    EXPECT_FALSE(secrets::contains_key_material(shown));
    EXPECT_EQ(shown.find(body_line(after.key_pem)), std::string::npos);
}

TEST(ChangeDisplay, AKubeconfigShowsTheClientCertificateSubjectAndDatesBeforeAndAfter) {
    const auto before = fresh_pair(), after = fresh_pair("rsa", 365);
    auto kubeconfig = [](const KeyPair& p) {
        return "users:\n- name: admin\n  user:\n    client-certificate-data: " + util::base64_encode(p.cert_pem) +
               "\n    client-key-data: " + util::base64_encode(p.key_pem) + "\n";
    };
    const auto shown = host::describe_change("/etc/kubernetes/admin.conf", kubeconfig(before), kubeconfig(after));
    EXPECT_NE(shown.find("-    client-certificate-data: <certificate: CN=secret-test, valid "), std::string::npos)
        << shown;
    EXPECT_NE(shown.find("+    client-certificate-data: <certificate: CN=secret-test, valid "), std::string::npos);
    EXPECT_NE(shown.find("+    client-key-data: <private key: RSA 2048, public key sha256:"), std::string::npos)
        << shown;
    EXPECT_FALSE(secrets::contains_key_material(shown)) << shown;
}
