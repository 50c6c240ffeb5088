#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <sstream>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "pki.hpp"
#include "test_support.hpp"
#include "x509/certificate.hpp"
#include "x509/issue_batch.hpp"

namespace kubecert::test {
namespace {

using x509::parse_certificate;

// `openssl ARGS...` must succeed; its standard output.
std::string openssl(const std::vector<std::string>& args, const std::string& input = "") {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcResult r = run(argv, {}, input, 30);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
    std::size_t start = s.find_first_not_of(' ');
    return start == std::string::npos ? std::string() : s.substr(start);
}

// The text after "key=" in openssl's one-line output ("serial=0A...").
std::string after_equals(const std::string& line) {
    return trim(line.substr(line.find('=') + 1));
}

// "notAfter=Nov 23 15:57:17 2036 GMT" as unix seconds.
std::int64_t openssl_date(const std::string& line) {
    std::tm tm{};
    std::string text = after_equals(line);
    const char* end = strptime(text.c_str(), "%b %d %H:%M:%S %Y GMT", &tm);
    EXPECT_NE(end, nullptr) << text;
    return static_cast<std::int64_t>(timegm(&tm));
}

// The value lines of `openssl x509 -ext NAME`, joined ("DNS:a, IP Address:1.2.3.4").
std::string openssl_ext(const std::string& cert_file, const std::string& name) {
    std::string out = openssl({"x509", "-noout", "-in", cert_file, "-ext", name});
    std::istringstream lines(out);
    std::string line, joined;
    std::getline(lines, line); // "X509v3 Subject Alternative Name: critical"
    while (std::getline(lines, line)) joined += (joined.empty() ? "" : "|") + trim(line);
    return joined;
}

std::string openssl_sans_as_ours(const std::string& cert_file) {
    std::string text = openssl_ext(cert_file, "subjectAltName");
    std::string out;
    for (std::size_t pos = 0; pos <= text.size();) {
        std::size_t comma = text.find(", ", pos);
        std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (item.rfind("IP Address:", 0) == 0) item = "IP:" + item.substr(11);
        out += (out.empty() ? "" : ",") + item;
        if (comma == std::string::npos) break;
        pos = comma + 2;
    }
    return out;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
}

struct Pki {
    KeyPair ca;
    KeyPair leaf;
    std::int64_t now = now_seconds();
    Pki() {
        CertSpec ca_spec;
        ca_spec.common_name = "kubernetes";
        ca_spec.is_ca = true;
        ca_spec.not_before = now - k_day;
        ca_spec.not_after = now + 3650 * k_day;
        ca = make_self_signed(ca_spec);
        CertSpec leaf_spec;
        leaf_spec.common_name = "kube-apiserver";
        leaf_spec.organizations = {"system:masters", "kubeadm:cluster-admins"};
        leaf_spec.sans = {"DNS:kubernetes", "DNS:kubernetes.default.svc", "IP:10.96.0.1", "IP:2001:db8::1"};
        leaf_spec.not_before = now - k_day;
        leaf_spec.not_after = now + 365 * k_day;
        leaf_spec.server_auth = true;
        leaf_spec.client_auth = true;
        leaf = make_signed(leaf_spec, ca);
    }
};

TEST(X509Certificate, MatchesOpensslCliForGeneratedCertificate) {
    Pki pki;
    TempDir dir;
    std::string file = dir / "apiserver.crt";
    write_file(file, pki.leaf.cert_pem);

    auto d = parse_certificate(pki.leaf.cert_pem, file);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->subject, after_equals(openssl({"x509", "-noout", "-in", file, "-subject", "-nameopt", "RFC2253"})));
    EXPECT_EQ(d->issuer, after_equals(openssl({"x509", "-noout", "-in", file, "-issuer", "-nameopt", "RFC2253"})));
    EXPECT_EQ(d->subject, "CN=kube-apiserver,O=kubeadm:cluster-admins,O=system:masters");
    EXPECT_EQ(d->issuer, "CN=kubernetes");
    EXPECT_EQ(d->common_name, "kube-apiserver");
    EXPECT_EQ(d->issuer_common_name, "kubernetes");
    EXPECT_EQ(d->organizations, (std::vector<std::string>{"system:masters", "kubeadm:cluster-admins"}));
    EXPECT_EQ(d->not_after, openssl_date(openssl({"x509", "-noout", "-in", file, "-enddate"})));
    EXPECT_EQ(d->not_before, openssl_date(openssl({"x509", "-noout", "-in", file, "-startdate"})));
    EXPECT_EQ(d->not_after, pki.now + 365 * k_day);
    EXPECT_EQ(d->serial, after_equals(openssl({"x509", "-noout", "-in", file, "-serial"})));
    EXPECT_EQ(d->sha256_fingerprint, after_equals(openssl({"x509", "-noout", "-in", file, "-fingerprint", "-sha256"})));
    // openssl prints IPv6 uncompressed; ours is the usual compressed form.
    EXPECT_EQ(join(d->sans), "DNS:kubernetes,DNS:kubernetes.default.svc,IP:10.96.0.1,IP:2001:db8::1");
    EXPECT_EQ(openssl_sans_as_ours(file),
              "DNS:kubernetes,DNS:kubernetes.default.svc,IP:10.96.0.1,IP:2001:DB8:0:0:0:0:0:1");
    EXPECT_EQ(d->key_usage, "digitalSignature,keyEncipherment");
    EXPECT_EQ(d->ext_key_usage, "serverAuth,clientAuth");
    EXPECT_FALSE(d->is_ca);
    EXPECT_FALSE(d->self_signed);
    EXPECT_EQ(d->public_key_algorithm, "RSA");
    EXPECT_EQ(d->public_key_bits, 2048);
    EXPECT_EQ(d->pem, pki.leaf.cert_pem);

    auto ca = parse_certificate(pki.ca.cert_pem, "ca.crt");
    ASSERT_TRUE(ca.ok()) << ca.error().message;
    EXPECT_TRUE(ca->is_ca);
    EXPECT_TRUE(ca->self_signed);
    EXPECT_NE(ca->key_usage.find("keyCertSign"), std::string::npos);
}

TEST(X509Certificate, MatchesOpensslCliForReqX509Certificate) {
    TempDir dir;
    std::string cert = dir / "admin.crt", key = dir / "admin.key";
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-keyout", key, "-out",
             cert, "-days", "30", "-subj", "/O=system:masters/CN=kubernetes-admin", "-addext",
             "subjectAltName=DNS:admin.local,IP:192.168.1.10,URI:spiffe://cluster/admin,email:ops@example.com",
             "-addext", "extendedKeyUsage=clientAuth"});
    auto d = parse_certificate(read_file(cert), cert);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->subject, after_equals(openssl({"x509", "-noout", "-in", cert, "-subject", "-nameopt", "RFC2253"})));
    EXPECT_EQ(d->subject, "CN=kubernetes-admin,O=system:masters");
    EXPECT_EQ(d->not_after, openssl_date(openssl({"x509", "-noout", "-in", cert, "-enddate"})));
    EXPECT_EQ(d->serial, after_equals(openssl({"x509", "-noout", "-in", cert, "-serial"})));
    EXPECT_EQ(d->sha256_fingerprint, after_equals(openssl({"x509", "-noout", "-in", cert, "-fingerprint", "-sha256"})));
    EXPECT_EQ(join(d->sans), openssl_sans_as_ours(cert));
    EXPECT_EQ(join(d->sans), "DNS:admin.local,IP:192.168.1.10,URI:spiffe://cluster/admin,email:ops@example.com");
    EXPECT_EQ(d->ext_key_usage, "clientAuth");
    EXPECT_TRUE(d->self_signed);
    EXPECT_EQ(d->public_key_algorithm, "EC");
    EXPECT_EQ(d->public_key_bits, 384);
    bool cli_says_ca = openssl_ext(cert, "basicConstraints").find("CA:TRUE") != std::string::npos;
    EXPECT_EQ(d->is_ca, cli_says_ca);
}

TEST(X509Certificate, DatesBefore1970AndAfter2038AreExact) {
    CertSpec spec;
    spec.common_name = "old-and-far";
    spec.key_type = "ec";
    spec.not_before = -2 * 365 * k_day - 12345; // 1968
    spec.not_after = 4133980800 + 61;           // 2101-01-01 00:01:01, a GeneralizedTime
    KeyPair kp = make_self_signed(spec);
    auto d = parse_certificate(kp.cert_pem, "far.crt");
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->not_before, spec.not_before);
    EXPECT_EQ(d->not_after, spec.not_after);
    TempDir dir;
    write_file(dir / "far.crt", kp.cert_pem);
    EXPECT_EQ(d->not_after, openssl_date(openssl({"x509", "-noout", "-in", dir / "far.crt", "-enddate"})));
}

TEST(X509Certificate, AcceptsDerBase64AndBundles) {
    Pki pki;
    TempDir dir;
    write_file(dir / "leaf.crt", pki.leaf.cert_pem);
    auto pem = parse_certificate(pki.leaf.cert_pem, "leaf.crt");
    ASSERT_TRUE(pem.ok());

    ProcResult der = run({"openssl", "x509", "-in", dir / "leaf.crt", "-outform", "DER"});
    ASSERT_EQ(der.exit_code, 0);
    auto from_der = parse_certificate(der.out, "leaf.der");
    ASSERT_TRUE(from_der.ok()) << from_der.error().message;
    EXPECT_EQ(from_der->sha256_fingerprint, pem->sha256_fingerprint);
    EXPECT_EQ(from_der->pem, pki.leaf.cert_pem);

    // kubeconfig client-certificate-data: base64 of the PEM, and of the DER.
    ProcResult b64_pem = run({"base64", "-w0"}, {}, pki.leaf.cert_pem);
    auto from_b64 = parse_certificate(b64_pem.out, "kubeconfig client-certificate-data");
    ASSERT_TRUE(from_b64.ok()) << from_b64.error().message;
    EXPECT_EQ(from_b64->sha256_fingerprint, pem->sha256_fingerprint);
    ProcResult b64_der = run({"base64"}, {}, der.out); // wrapped at 76 columns
    auto from_b64_der = parse_certificate(b64_der.out, "data");
    ASSERT_TRUE(from_b64_der.ok()) << from_b64_der.error().message;
    EXPECT_EQ(from_b64_der->sha256_fingerprint, pem->sha256_fingerprint);

    // A key before the certificate, then a second certificate: the first CERTIFICATE wins.
    auto bundle = parse_certificate(pki.leaf.key_pem + pki.leaf.cert_pem + pki.ca.cert_pem, "bundle.pem");
    ASSERT_TRUE(bundle.ok()) << bundle.error().message;
    EXPECT_EQ(bundle->common_name, "kube-apiserver");
}

// DER of `pem`, through the OpenSSL library.
std::string der_of(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    unsigned char* der = nullptr;
    int n = i2d_X509(cert, &der);
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    X509_free(cert);
    return out;
}

TEST(X509Certificate, DerEndingInAWhiteSpaceByteIsParsed) {
    // A signature's last byte is random; about 1 in 40 ends like white space.
    CertSpec spec;
    spec.common_name = "der";
    spec.not_before = now_seconds();
    spec.not_after = spec.not_before + k_day;
    spec.key_type = "ec";
    std::string der;
    for (int i = 0; i < 2000 && der.empty(); ++i) {
        std::string candidate = der_of(make_self_signed(spec).cert_pem);
        if (std::string(" \t\n\v\f\r").find(candidate.back()) != std::string::npos) der = candidate;
    }
    ASSERT_FALSE(der.empty());
    auto d = parse_certificate(der, "der");
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->common_name, "der");
}

TEST(X509Certificate, MalformedInputNamesTheSource) {
    const std::string src = "/etc/kubernetes/pki/apiserver.crt";
    auto bad_pem = parse_certificate("-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n", src);
    ASSERT_FALSE(bad_pem.ok());
    EXPECT_EQ(bad_pem.error().code, util::ErrorCode::parse);
    EXPECT_EQ(bad_pem.error().message.rfind(src + ": ", 0), 0u) << bad_pem.error().message;

    auto garbage = parse_certificate("hello world", src);
    ASSERT_FALSE(garbage.ok());
    EXPECT_EQ(garbage.error().message, src + ": not a PEM or DER certificate");

    Pki pki;
    auto key_only = parse_certificate(pki.leaf.key_pem, src);
    ASSERT_FALSE(key_only.ok());
    EXPECT_NE(key_only.error().message.find(src), std::string::npos);

    auto empty = parse_certificate("", src);
    ASSERT_FALSE(empty.ok());
    EXPECT_NE(empty.error().message.find(src), std::string::npos);
}

TEST(X509Certificate, SameNameButOtherSignerIsNotSelfSigned) {
    std::int64_t now = now_seconds();
    CertSpec spec;
    spec.common_name = "etcd";
    spec.not_before = now - k_day;
    spec.not_after = now + k_day;
    spec.key_type = "ec";
    CertSpec ca_spec = spec;
    ca_spec.is_ca = true;
    KeyPair ca = make_self_signed(ca_spec);
    KeyPair leaf = make_signed(spec, ca);
    auto d = parse_certificate(leaf.cert_pem, "leaf");
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->subject, d->issuer);
    EXPECT_FALSE(d->self_signed);
}

TEST(X509Certificate, KeyMatchesOnlyItsCertificate) {
    Pki pki;
    auto same = x509::key_matches_certificate(pki.leaf.key_pem, pki.leaf.cert_pem);
    ASSERT_TRUE(same.ok()) << same.error().message;
    EXPECT_TRUE(*same);
    auto other = x509::key_matches_certificate(pki.ca.key_pem, pki.leaf.cert_pem);
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(*other);
    CertSpec ec_spec;
    ec_spec.common_name = "ec";
    ec_spec.not_before = pki.now;
    ec_spec.not_after = pki.now + k_day;
    ec_spec.key_type = "ec";
    KeyPair ec = make_self_signed(ec_spec);
    auto other_type = x509::key_matches_certificate(ec.key_pem, pki.leaf.cert_pem);
    ASSERT_TRUE(other_type.ok());
    EXPECT_FALSE(*other_type);
    auto ec_same = x509::key_matches_certificate(ec.key_pem, ec.cert_pem);
    ASSERT_TRUE(ec_same.ok());
    EXPECT_TRUE(*ec_same);
    auto bad = x509::key_matches_certificate("not a key", pki.leaf.cert_pem);
    EXPECT_FALSE(bad.ok());
}

TEST(X509Certificate, VerifiesAgainstCaAtAGivenTime) {
    Pki pki;
    auto ok = x509::verify_certificate(pki.leaf.cert_pem, pki.ca.cert_pem, pki.now);
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_TRUE(ok->ok) << ok->reason;

    auto later = x509::verify_certificate(pki.leaf.cert_pem, pki.ca.cert_pem, pki.now + 400 * k_day);
    ASSERT_TRUE(later.ok());
    EXPECT_FALSE(later->ok);
    EXPECT_EQ(later->reason, "certificate has expired");

    auto earlier = x509::verify_certificate(pki.leaf.cert_pem, pki.ca.cert_pem, pki.now - 2 * k_day);
    ASSERT_TRUE(earlier.ok());
    EXPECT_FALSE(earlier->ok);
    EXPECT_EQ(earlier->reason, "certificate is not yet valid");

    Pki other;
    auto wrong = x509::verify_certificate(pki.leaf.cert_pem, other.ca.cert_pem, pki.now);
    ASSERT_TRUE(wrong.ok());
    EXPECT_FALSE(wrong->ok);
    EXPECT_EQ(wrong->reason, "unable to get local issuer certificate");

    // A bundle holding the right CA among others verifies.
    auto bundle = x509::verify_certificate(pki.leaf.cert_pem, other.ca.cert_pem + pki.ca.cert_pem, pki.now);
    ASSERT_TRUE(bundle.ok());
    EXPECT_TRUE(bundle->ok) << bundle->reason;

    auto no_ca = x509::verify_certificate(pki.leaf.cert_pem, "nothing", pki.now);
    EXPECT_FALSE(no_ca.ok());
}

// Checks an issued pair with the openssl CLI against its template.
void expect_issued_like_template(const x509::IssuedPair& issued, const KeyPair& tmpl, const KeyPair& ca,
                                 std::int64_t now, std::int64_t validity) {
    TempDir dir;
    std::string cert = dir / "new.crt", key = dir / "new.key", old = dir / "old.crt", ca_file = dir / "ca.crt";
    write_file(cert, issued.cert_pem);
    write_file(key, issued.key_pem, 0600);
    write_file(old, tmpl.cert_pem);
    write_file(ca_file, ca.cert_pem);

    EXPECT_EQ(trim(openssl({"verify", "-CAfile", ca_file, cert})), cert + ": OK");
    EXPECT_EQ(openssl({"x509", "-noout", "-in", cert, "-subject"}),
              openssl({"x509", "-noout", "-in", old, "-subject"}));
    for (const char* ext : {"subjectAltName", "keyUsage", "extendedKeyUsage"})
        EXPECT_EQ(openssl_ext(cert, ext), openssl_ext(old, ext)) << ext;
    EXPECT_EQ(openssl_ext(cert, "basicConstraints"), "CA:FALSE");
    EXPECT_EQ(openssl({"pkey", "-in", key, "-pubout"}), openssl({"x509", "-noout", "-in", cert, "-pubkey"}));
    EXPECT_NE(openssl({"x509", "-noout", "-in", cert, "-pubkey"}), openssl({"x509", "-noout", "-in", old, "-pubkey"}));
    EXPECT_NE(openssl_ext(cert, "subjectKeyIdentifier"), "");
    EXPECT_EQ(openssl_ext(cert, "authorityKeyIdentifier"), openssl_ext(old, "authorityKeyIdentifier"));
    EXPECT_NE(openssl({"x509", "-noout", "-in", cert, "-text"}).find("Signature Algorithm: sha256WithRSAEncryption"),
              std::string::npos);

    auto d = parse_certificate(issued.cert_pem, cert);
    auto t = parse_certificate(tmpl.cert_pem, old);
    ASSERT_TRUE(d.ok() && t.ok());
    EXPECT_EQ(d->not_before, now - 300);
    EXPECT_EQ(d->not_after, now + validity);
    EXPECT_EQ(d->public_key_algorithm, t->public_key_algorithm);
    EXPECT_EQ(d->public_key_bits, t->public_key_bits);
    EXPECT_NE(d->serial, t->serial);
    EXPECT_EQ(d->serial.size(), 16u); // 63 random bits: 8 bytes, the top one below 0x80
    EXPECT_LT(d->serial[0], '8');
}

TEST(X509Certificate, IssuesRsaRenewalLikeKubeadm) {
    Pki pki;
    std::int64_t now = now_seconds();
    auto issued = x509::issue_certificate(pki.leaf.cert_pem, pki.ca.cert_pem, pki.ca.key_pem, now, 365 * k_day);
    ASSERT_TRUE(issued.ok()) << issued.error().message;
    EXPECT_EQ(issued->key_pem.rfind("-----BEGIN RSA PRIVATE KEY-----", 0), 0u);
    expect_issued_like_template(*issued, pki.leaf, pki.ca, now, 365 * k_day);
    // The key is a consistent RSA key (primes, exponents, CRT values).
    TempDir dir;
    write_file(dir / "new.key", issued->key_pem, 0600);
    ProcResult check = run({"openssl", "rsa", "-check", "-noout", "-in", dir / "new.key"});
    EXPECT_EQ(check.exit_code, 0) << check.err;
    EXPECT_NE(check.out.find("RSA key ok"), std::string::npos) << check.out;
}

TEST(X509Certificate, IssuesEcAndEd25519KeysOfTheTemplateKind) {
    Pki pki;
    std::int64_t now = now_seconds();
    TempDir dir;
    // EC P-384 and Ed25519 templates signed by the RSA CA with the openssl CLI.
    write_file(dir / "ca.crt", pki.ca.cert_pem);
    write_file(dir / "ca.key", pki.ca.key_pem, 0600);
    write_file(dir / "ext.cnf", "subjectAltName=DNS:node-1,IP:10.0.0.5\nkeyUsage=critical,digitalSignature\n"
                                "extendedKeyUsage=serverAuth\n");
    struct Case {
        std::vector<std::string> genkey;
        const char* key_header;
        const char* algorithm;
    };
    const Case cases[] = {
        {{"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"},
         "-----BEGIN EC PRIVATE KEY-----",
         "EC"},
        {{"genpkey", "-algorithm", "ED25519"}, "-----BEGIN PRIVATE KEY-----", "ED25519"},
    };
    for (const auto& c : cases) {
        std::vector<std::string> gen = c.genkey;
        gen.insert(gen.end(), {"-out", dir / "t.key"});
        openssl(gen);
        openssl({"req", "-new", "-key", dir / "t.key", "-subj", "/CN=system:node:node-1/O=system:nodes", "-out",
                 dir / "t.csr"});
        openssl({"x509", "-req", "-in", dir / "t.csr", "-CA", dir / "ca.crt", "-CAkey", dir / "ca.key",
                 "-CAcreateserial", "-days", "10", "-extfile", dir / "ext.cnf", "-out", dir / "t.crt"});
        KeyPair tmpl{read_file(dir / "t.crt"), read_file(dir / "t.key")};
        auto issued = x509::issue_certificate(tmpl.cert_pem, pki.ca.cert_pem, pki.ca.key_pem, now, 30 * k_day);
        ASSERT_TRUE(issued.ok()) << issued.error().message;
        EXPECT_EQ(issued->key_pem.rfind(c.key_header, 0), 0u) << issued->key_pem;
        auto d = parse_certificate(issued->cert_pem, "issued");
        ASSERT_TRUE(d.ok());
        EXPECT_EQ(d->public_key_algorithm, c.algorithm);
        expect_issued_like_template(*issued, tmpl, pki.ca, now, 30 * k_day);
        auto match = x509::key_matches_certificate(issued->key_pem, issued->cert_pem);
        ASSERT_TRUE(match.ok());
        EXPECT_TRUE(*match);
    }
}

TEST(X509Certificate, RefusesCaKeyThatDoesNotMatchCaCertificate) {
    Pki pki;
    Pki other;
    auto issued = x509::issue_certificate(pki.leaf.cert_pem, pki.ca.cert_pem, other.ca.key_pem, pki.now, k_day);
    ASSERT_FALSE(issued.ok());
    EXPECT_EQ(issued.error().code, util::ErrorCode::invalid);
    EXPECT_NE(issued.error().message.find("does not match"), std::string::npos);
}

// --- renewal on every kubeadm PKI: CAs and keys made with the openssl CLI ---

std::string pem_label(const std::string& pem) {
    return pem.substr(0, pem.find('\n'));
}

// `openssl pkey -text` says the size ("Private-Key: (2048 bit, 2 primes)") and
// for EC the curve ("NIST CURVE: P-256"): the key's shape, without its numbers.
std::string key_shape(const std::string& key_file) {
    std::string text = openssl({"pkey", "-in", key_file, "-noout", "-text"});
    std::istringstream lines(text);
    std::string line, shape;
    while (std::getline(lines, line))
        if (line.rfind("Private-Key:", 0) == 0 || line.find("NIST CURVE:") != std::string::npos ||
            line.find("ASN1 OID:") != std::string::npos)
            shape += trim(line) + "|";
    return shape;
}

// Cross-checks a renewal with the openssl CLI: chain, key/cert pair, key
// consistency, signature digest, the key's shape and PEM label as the old key's.
void expect_renewal_checks_out(const x509::IssuedPair& issued, const KeyPair& old, const KeyPair& ca,
                               const std::string& signature) {
    TempDir dir;
    const std::string cert = dir / "new.crt", key = dir / "new.key", old_key = dir / "old.key",
                      ca_file = dir / "ca.crt";
    write_file(cert, issued.cert_pem);
    write_file(key, issued.key_pem, 0600);
    write_file(old_key, old.key_pem, 0600);
    write_file(ca_file, ca.cert_pem);
    EXPECT_EQ(trim(openssl({"verify", "-CAfile", ca_file, cert})), cert + ": OK");
    EXPECT_EQ(openssl({"pkey", "-in", key, "-pubout"}), openssl({"x509", "-noout", "-in", cert, "-pubkey"}));
    ProcResult check = run({"openssl", "pkey", "-check", "-noout", "-in", key});
    EXPECT_EQ(check.exit_code, 0) << check.err;
    EXPECT_NE(check.out.find("Key is valid"), std::string::npos) << check.out;
    EXPECT_NE(openssl({"x509", "-noout", "-in", cert, "-text"}).find("Signature Algorithm: " + signature),
              std::string::npos)
        << signature;
    EXPECT_EQ(pem_label(issued.key_pem), pem_label(old.key_pem));
    EXPECT_EQ(key_shape(key), key_shape(old_key));
    EXPECT_NE(openssl({"pkey", "-in", key, "-pubout"}), openssl({"pkey", "-in", old_key, "-pubout"}));
    // The core agrees with the CLI.
    auto verified = x509::verify_certificate(issued.cert_pem, ca.cert_pem, now_seconds());
    ASSERT_TRUE(verified.ok());
    EXPECT_TRUE(verified->ok) << verified->reason;
}

TEST(X509Certificate, RenewsWithCaWithoutSubjectKeyIdentifier) {
    TempDir dir;
    for (const std::string ca_key : {"rsa:2048", "ec:P-256"}) {
        SCOPED_TRACE(ca_key);
        KeyPair ca = openssl_ca(dir.path(), "kubernetes", ca_key, false);
        write_file(dir / "ca.crt", ca.cert_pem);
        // The fixture is what kubeadm before v1.19 made: no key identifiers at all.
        const std::string ca_text = openssl({"x509", "-noout", "-text", "-in", dir / "ca.crt"});
        ASSERT_EQ(ca_text.find("Subject Key Identifier"), std::string::npos) << ca_text;
        KeyPair leaf = openssl_leaf(dir.path(), "kube-apiserver", ca, "rsa:2048", "pkcs1");

        auto issued =
            x509::issue_certificate(leaf.cert_pem, ca.cert_pem, ca.key_pem, now_seconds(), k_day, leaf.key_pem);
        ASSERT_TRUE(issued.ok()) << issued.error().message;
        expect_renewal_checks_out(*issued, leaf, ca,
                                  ca_key == "ec:P-256" ? "ecdsa-with-SHA256" : "sha256WithRSAEncryption");
        // Like Go's crypto/x509 (kubeadm): no authorityKeyIdentifier when the CA has no key id.
        write_file(dir / "new.crt", issued->cert_pem);
        EXPECT_EQ(openssl({"x509", "-noout", "-in", dir / "new.crt", "-text"}).find("Authority Key Identifier"),
                  std::string::npos);
        EXPECT_NE(openssl_ext(dir / "new.crt", "subjectKeyIdentifier"), "");
    }
}

TEST(X509Certificate, AuthorityKeyIdentifierIsTheCasSubjectKeyIdentifier) {
    TempDir dir;
    KeyPair ca = openssl_ca(dir.path(), "etcd-ca", "ec:P-384", true);
    KeyPair leaf = openssl_leaf(dir.path(), "kube-etcd", ca, "ec:P-256", "sec1");
    auto issued = x509::issue_certificate(leaf.cert_pem, ca.cert_pem, ca.key_pem, now_seconds(), k_day, leaf.key_pem);
    ASSERT_TRUE(issued.ok()) << issued.error().message;
    // Signed with SHA-384, as Go signs with a P-384 key.
    expect_renewal_checks_out(*issued, leaf, ca, "ecdsa-with-SHA384");
    write_file(dir / "ca.crt", ca.cert_pem);
    write_file(dir / "new.crt", issued->cert_pem);
    const std::string ca_key_id = openssl_ext(dir / "ca.crt", "subjectKeyIdentifier");
    ASSERT_NE(ca_key_id, "");
    std::string akid = openssl_ext(dir / "new.crt", "authorityKeyIdentifier");
    if (akid.rfind("keyid:", 0) == 0) akid = akid.substr(6);
    EXPECT_EQ(akid, ca_key_id);
}

TEST(X509Certificate, RenewsAcrossRsaAndEcdsaCasAndLeaves) {
    TempDir dir;
    struct Case {
        std::string ca_key, leaf_key, leaf_encoding, signature;
    };
    const Case cases[] = {
        {"rsa:2048", "ec:P-256", "sec1", "sha256WithRSAEncryption"}, // kubeadm encryptionAlgorithm ECDSA-P256 leaves
        {"ec:P-256", "rsa:2048", "pkcs1", "ecdsa-with-SHA256"},
        {"ec:P-256", "ec:P-256", "sec1", "ecdsa-with-SHA256"},        // ECDSA-P256 everywhere
        {"rsa:3072", "rsa:3072", "pkcs1", "sha256WithRSAEncryption"}, // kubeadm RSA-3072
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.ca_key + " CA, " + c.leaf_key + " leaf");
        for (bool key_id : {true, false}) {
            KeyPair ca = openssl_ca(dir.path(), "kubernetes", c.ca_key, key_id);
            KeyPair leaf = openssl_leaf(dir.path(), "kube-apiserver-kubelet-client", ca, c.leaf_key, c.leaf_encoding);
            auto issued =
                x509::issue_certificate(leaf.cert_pem, ca.cert_pem, ca.key_pem, now_seconds(), k_day, leaf.key_pem);
            ASSERT_TRUE(issued.ok()) << issued.error().message;
            expect_renewal_checks_out(*issued, leaf, ca, c.signature);
            if (c.ca_key != c.leaf_key) break; // one CA flavour is enough for the mixed pairs
        }
    }
}

TEST(X509Certificate, RenewedKeyKeepsAlgorithmSizeAndPemEncoding) {
    TempDir dir;
    KeyPair ca = openssl_ca(dir.path(), "kubernetes", "rsa:2048", true);
    struct Case {
        std::string key, encoding, label;
    };
    const Case cases[] = {
        {"rsa:2048", "pkcs1", "-----BEGIN RSA PRIVATE KEY-----"},
        {"rsa:2048", "pkcs8", "-----BEGIN PRIVATE KEY-----"},
        {"rsa:3072", "pkcs8", "-----BEGIN PRIVATE KEY-----"},
        {"ec:P-256", "sec1", "-----BEGIN EC PRIVATE KEY-----"},
        {"ec:P-256", "pkcs8", "-----BEGIN PRIVATE KEY-----"},
        {"ec:P-384", "sec1", "-----BEGIN EC PRIVATE KEY-----"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.key + " " + c.encoding);
        KeyPair leaf = openssl_leaf(dir.path(), "front-proxy-client", ca, c.key, c.encoding);
        ASSERT_EQ(pem_label(leaf.key_pem), c.label); // the fixture is what it claims
        auto issued =
            x509::issue_certificate(leaf.cert_pem, ca.cert_pem, ca.key_pem, now_seconds(), k_day, leaf.key_pem);
        ASSERT_TRUE(issued.ok()) << issued.error().message;
        EXPECT_EQ(pem_label(issued->key_pem), c.label);
        expect_renewal_checks_out(*issued, leaf, ca, "sha256WithRSAEncryption");
        if (c.key.rfind("rsa", 0) == 0) {
            write_file(dir / "new.key", issued->key_pem, 0600);
            ProcResult rsa_check = run({"openssl", "rsa", "-check", "-noout", "-in", dir / "new.key"});
            EXPECT_EQ(rsa_check.exit_code, 0) << rsa_check.err;
            EXPECT_NE(rsa_check.out.find("RSA key ok"), std::string::npos) << rsa_check.out;
        }
    }
}

TEST(X509Certificate, OldKeyEncodingIsReadFromKubeconfigBase64AndDer) {
    TempDir dir;
    KeyPair ca = openssl_ca(dir.path(), "kubernetes", "ec:P-256", true);
    KeyPair leaf = openssl_leaf(dir.path(), "kubernetes-admin", ca, "rsa:2048", "pkcs8");
    // client-key-data: base64 of the PEM, on one line.
    const std::string b64 = openssl({"base64", "-A"}, leaf.key_pem);
    auto from_b64 = x509::issue_certificate(leaf.cert_pem, ca.cert_pem, ca.key_pem, now_seconds(), k_day, b64);
    ASSERT_TRUE(from_b64.ok()) << from_b64.error().message;
    EXPECT_EQ(pem_label(from_b64->key_pem), "-----BEGIN PRIVATE KEY-----");
    // DER PKCS#1 (no label at all): the structure decides.
    write_file(dir / "old.key", leaf.key_pem, 0600);
    openssl({"rsa", "-in", dir / "old.key", "-traditional", "-outform", "DER", "-out", dir / "old.der"});
    auto from_der = x509::issue_certificate(leaf.cert_pem, ca.cert_pem, ca.key_pem, now_seconds(), k_day,
                                            read_file(dir / "old.der"));
    ASSERT_TRUE(from_der.ok()) << from_der.error().message;
    EXPECT_EQ(pem_label(from_der->key_pem), "-----BEGIN RSA PRIVATE KEY-----");
    // An old key that does not decode still names its encoding; size and algorithm come from the certificate.
    auto broken = x509::issue_certificate(leaf.cert_pem, ca.cert_pem, ca.key_pem, now_seconds(), k_day,
                                          "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    ASSERT_TRUE(broken.ok()) << broken.error().message;
    EXPECT_EQ(pem_label(broken->key_pem), "-----BEGIN PRIVATE KEY-----");
    expect_renewal_checks_out(*broken, leaf, ca, "ecdsa-with-SHA256");
}

TEST(X509Certificate, BatchIssuesEveryRequestInOrder) {
    TempDir dir;
    KeyPair rsa_ca = openssl_ca(dir.path(), "kubernetes", "rsa:2048", false);
    KeyPair ec_ca = openssl_ca(dir.path(), "etcd-ca", "ec:P-256", true);
    const KeyPair leaves[] = {
        openssl_leaf(dir.path(), "leaf-0", rsa_ca, "rsa:2048", "pkcs1"),
        openssl_leaf(dir.path(), "leaf-1", ec_ca, "ec:P-256", "pkcs8"),
        openssl_leaf(dir.path(), "leaf-2", rsa_ca, "ec:P-256", "sec1"),
        openssl_leaf(dir.path(), "leaf-3", ec_ca, "rsa:2048", "pkcs8"),
        openssl_leaf(dir.path(), "leaf-4", rsa_ca, "rsa:2048", "pkcs1"),
    };
    const KeyPair* cas[] = {&rsa_ca, &ec_ca, &rsa_ca, &ec_ca, &rsa_ca};
    std::vector<x509::IssueRequest> requests;
    for (int i = 0; i < 5; ++i)
        requests.push_back({leaves[i].cert_pem, cas[i]->cert_pem, cas[i]->key_pem, leaves[i].key_pem, (i + 1) * k_day});
    // One request whose CA key is another CA's fails alone.
    requests.push_back({leaves[0].cert_pem, rsa_ca.cert_pem, ec_ca.key_pem, "", k_day});
    const std::int64_t now = now_seconds();
    auto results = x509::issue_certificates(requests, now);
    ASSERT_EQ(results.size(), 6u);
    for (int i = 0; i < 5; ++i) {
        SCOPED_TRACE(i);
        ASSERT_TRUE(results[i].ok()) << results[i].error().message;
        auto d = parse_certificate(results[i]->cert_pem, "issued");
        ASSERT_TRUE(d.ok());
        EXPECT_EQ(d->common_name, "leaf-" + std::to_string(i));
        EXPECT_EQ(d->not_after, now + (i + 1) * k_day);
        expect_renewal_checks_out(*results[i], leaves[i], *cas[i],
                                  cas[i] == &ec_ca ? "ecdsa-with-SHA256" : "sha256WithRSAEncryption");
    }
    ASSERT_FALSE(results[5].ok());
    EXPECT_NE(results[5].error().message.find("does not match"), std::string::npos);
    EXPECT_TRUE(x509::issue_certificates({}, now).empty());
}

} // namespace
} // namespace kubecert::test
