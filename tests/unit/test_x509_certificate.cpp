#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <sstream>
#include <sys/resource.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "pki.hpp"
#include "test_support.hpp"
#include "x509/certificate.hpp"

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
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r'))
        s.pop_back();
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
    while (std::getline(lines, line))
        joined += (joined.empty() ? "" : "|") + trim(line);
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
    for (const auto& i : items)
        out += (out.empty() ? "" : ",") + i;
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

// CPU time of this thread: unlike wall time it does not grow when other
// jobs share the machine.
std::chrono::nanoseconds thread_cpu_time() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

TEST(X509Certificate, ParsingIsFastEnoughForEveryAudit) {
    Pki pki;
    const int n = 2000;
    auto start = thread_cpu_time();
    for (int i = 0; i < n; ++i) {
        BIO* bio = BIO_new_mem_buf(pki.leaf.cert_pem.data(), static_cast<int>(pki.leaf.cert_pem.size()));
        X509_free(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
        BIO_free(bio);
    }
    auto decode = (thread_cpu_time() - start) / n;
    start = thread_cpu_time();
    for (int i = 0; i < n; ++i)
        ASSERT_TRUE(parse_certificate(pki.leaf.cert_pem, "leaf").ok());
    auto parse = (thread_cpu_time() - start) / n;
    // What parse_certificate adds on top of OpenSSL's own decoding.
    EXPECT_LT(parse - decode, std::chrono::microseconds(500)) << "decode " << decode.count() << " ns";
    EXPECT_LT(parse, std::chrono::milliseconds(1)) << "decode " << decode.count() << " ns";
    std::cout << "per certificate: OpenSSL decode " << decode.count() / 1000 << " us, parse_certificate "
              << parse.count() / 1000 << " us (CPU)\n";
}

// Process CPU time (all threads): unlike wall time it does not grow when
// other jobs share the machine.
double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

TEST(X509Certificate, RenewingElevenRsaCertificatesIsCheap) {
    Pki pki;
    std::int64_t now = now_seconds();
    double cpu_start = cpu_seconds();
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 11; ++i)
        ASSERT_TRUE(x509::issue_certificate(pki.leaf.cert_pem, pki.ca.cert_pem, pki.ca.key_pem, now, k_day).ok());
    double cpu = cpu_seconds() - cpu_start;
    auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    // About 0.8 s of CPU split over two cores (two primes in parallel); OpenSSL
    // 3's default RSA generation path needs about 3 s of CPU for the same keys.
    EXPECT_LT(cpu, 2.0) << "wall " << wall.count() << " ms";
    std::cout << "11 RSA-2048 renewals: " << wall.count() << " ms wall, " << static_cast<int>(cpu * 1000)
              << " ms CPU\n";
}

} // namespace
} // namespace kubecert::test
