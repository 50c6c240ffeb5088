// End-to-end: no private key material in any output of any command in any
// format (DESIGN.md "Fixes must be safe"), on the renewal of a whole kubeadm
// control plane and from a third-party plugin that shows what it read.
//
// The key material looked for is taken from the node itself, independently of
// kubecert's own redaction code: every PEM private key block in every file
// (before and after each fix), the base64 of those blocks and the
// *-key-data values of kubeconfigs.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <regex>
#include <set>

#include <kubecert/util/base64.hpp>

#include "kubeadm_node.hpp"
#include "pki.hpp"

using namespace kubecert::test;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> k_formats = {"text", "json", "junit", "prometheus"};

// The pieces of a key that an output could show: each body line of a PEM
// block, and the whole base64 value of a kubeconfig's client-key-data.
class KeyMaterial {
public:
    void collect_tree(const std::string& root) {
        for (const auto& [path, content] : snapshot_tree(root)) collect(content);
    }
    void collect(const std::string& content) {
        static const std::regex pem("-----BEGIN [A-Z ]*PRIVATE KEY-----([^-]*)-----END [A-Z ]*PRIVATE KEY-----");
        for (std::sregex_iterator it(content.begin(), content.end(), pem), end; it != end; ++it) {
            std::istringstream body((*it)[1].str());
            for (std::string line; std::getline(body, line);)
                if (line.size() >= 16) m_fragments.insert(line);
        }
        static const std::regex key_data("key-data:\\s*([A-Za-z0-9+/=]+)");
        for (std::sregex_iterator it(content.begin(), content.end(), key_data), end; it != end; ++it) {
            const std::string value = (*it)[1].str();
            m_fragments.insert(value.substr(0, 40));
            if (const auto decoded = kubecert::util::base64_decode(value)) collect(*decoded);
        }
    }
    std::size_t size() const { return m_fragments.size(); }

    // What of the key material `output` shows, "" when nothing.
    std::string leaks_in(const std::string& output) const {
        std::string found;
        if (output.find("PRIVATE KEY") != std::string::npos) found += "a PEM private key label; ";
        for (const char* label :
             {"-----BEGIN RSA PRIVATE KEY", "-----BEGIN PRIVATE KEY", "-----BEGIN EC PRIVATE KEY"}) {
            const auto b64 = kubecert::util::base64_encode(label).substr(0, 24);
            if (output.find(b64) != std::string::npos) found += "base64 of \"" + std::string(label) + "\"; ";
        }
        static const std::regex key_data_value("key.data[\"']?\\s*[:=]\\s*[\"']?[A-Za-z0-9+/]{16,}");
        if (std::regex_search(output, key_data_value)) found += "a *-key-data value; ";
        for (const auto& f : m_fragments)
            if (output.find(f) != std::string::npos) found += "key line " + f.substr(0, 12) + "...; ";
        return found;
    }

private:
    std::set<std::string> m_fragments;
};

struct Output {
    std::string what;
    std::string text;
};

// stdout, stderr and the --output file of one run.
void keep(std::vector<Output>& outputs, const std::string& what, const ProcResult& r, const std::string& file = "") {
    outputs.push_back({what + " (stdout)", r.out});
    outputs.push_back({what + " (stderr)", r.err});
    if (!file.empty() && file_exists(file)) outputs.push_back({what + " (--output)", read_file(file)});
}

std::string newest_backup(const std::string& root) {
    std::string newest;
    const auto dir = root + "/var/backups/kubecert";
    if (!fs::exists(dir)) return "";
    for (const auto& e : fs::directory_iterator(dir)) newest = std::max(newest, e.path().string());
    return newest;
}

// kubecert --root ROOT --flavor kubeadm ARGS with the node's stand-ins first on PATH.
ProcResult kubecert_on(const KubeadmTestNode& node, std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", node.root.path(), "--flavor", "kubeadm"});
    return run_kubecert(args,
                        {{"PATH", path_with(node.bin.path())}, {"HOME", "/home/alice"}, {"SUDO_USER", "\x01unset"}});
}

unsigned mode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

} // namespace

TEST(NoKeyMaterial, WholeControlPlaneRenewalPrintsNoKeyInAnyCommandOrFormat) {
    KubeadmNodeSpec spec;
    for (const char* name : {"apiserver", "apiserver-kubelet-client", "apiserver-etcd-client", "front-proxy-client",
                             "etcd-server", "etcd-peer", "etcd-healthcheck-client", "admin.conf", "super-admin.conf",
                             "controller-manager.conf", "scheduler.conf"})
        spec.leaf_days[name] = -7;
    spec.rotate_certificates = false;
    KubeadmTestNode node(spec);
    KeyMaterial keys;
    keys.collect_tree(node.root.path());
    ASSERT_GE(keys.size(), 100u) << "the node should hold a dozen keys";

    TempDir scratch;
    const std::map<std::string, std::string> env = {
        {"PATH", path_with(node.bin.path())}, {"HOME", "/home/alice"}, {"SUDO_USER", "\x01unset"}};
    auto kubecert = [&](std::vector<std::string> args) {
        std::vector<std::string> all = {"--root", node.root.path(), "--flavor", "kubeadm", "-v"};
        all.insert(all.end(), args.begin(), args.end());
        return run_kubecert(all, env);
    };

    std::vector<Output> outputs;
    std::vector<std::size_t> shows_fingerprints; // outputs that list the fix's edits with their details
    for (const auto& format : k_formats) {
        for (const std::vector<std::string>& command :
             {std::vector<std::string>{"audit"}, {"certs"}, {"plugins"}, {"fix", "--dry-run", "--kubeadm-renew-all"}}) {
            // Text to standard output, the others into --output files: both paths pass the same gate.
            const auto file = scratch.path() + "/report." + format;
            std::vector<std::string> args = {"--format", format};
            if (format != "text") args.insert(args.begin(), {"--output", file});
            args.insert(args.end(), command.begin(), command.end());
            keep(outputs, command[0] + " --format " + format, kubecert(args), format != "text" ? file : "");
            // JUnit and Prometheus list no actions; text and JSON show each edit with its details.
            if (command[0] == "fix" && (format == "text" || format == "json"))
                shows_fingerprints.push_back(outputs.size() - (format == "text" ? 2 : 1));
        }
        // A real renewal of everything, then putting the old files back.
        const auto file = scratch.path() + "/fix." + format;
        const auto fixed = kubecert({"--format", format, "--output", file, "fix", "--yes", "--kubeadm-renew-all"});
        EXPECT_EQ(fixed.exit_code, 0) << format << "\n" << fixed.err << read_file(file);
        keep(outputs, "fix --yes --format " + format, fixed, file);
        if (format == "text" || format == "json") shows_fingerprints.push_back(outputs.size() - 1);
        keys.collect_tree(node.root.path());
        const auto backup = newest_backup(node.root.path());
        ASSERT_FALSE(backup.empty());
        keys.collect_tree(backup); // the keys the fix replaced, as it kept them
        const auto restored = kubecert({"--format", format, "restore", backup});
        keep(outputs, "restore --format " + format, restored);
        EXPECT_EQ(restored.exit_code, 0) << restored.err;
    }

    ASSERT_GT(outputs.size(), 40u);
    for (const auto& o : outputs) EXPECT_EQ(keys.leaks_in(o.text), "") << o.what << " shows key material";
    // What the operator is shown instead: each replaced key by its algorithm, size and fingerprint.
    for (const auto i : shows_fingerprints)
        EXPECT_NE(outputs[i].text.find("private key replaced (RSA 2048, new public key sha256:"), std::string::npos)
            << outputs[i].what << ":\n"
            << outputs[i].text;
}

TEST(NoKeyMaterial, ReplacedKeysAreNamedByFingerprintAndKubeconfigsBySubjectAndDates) {
    KubeadmNodeSpec spec;
    spec.leaf_days = {{"apiserver", -7}, {"admin.conf", -7}};
    KubeadmTestNode node(spec);
    const auto r = kubecert_on(node, {"fix", "--dry-run"});
    // The fingerprint shown for the new key is the one `openssl pkey` computes of the key written.
    EXPECT_NE(r.out.find("private key replaced (RSA 2048, new public key sha256:"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("-    client-certificate-data: <certificate: CN=kubernetes-admin"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("+    client-key-data: <private key: RSA 2048, public key sha256:"), std::string::npos)
        << r.out;

    // After the real fix the fingerprint shown is that of the key on disk.
    const auto fixed = kubecert_on(node, {"fix", "--yes"});
    ASSERT_EQ(fixed.exit_code, 0) << fixed.out << fixed.err;
    const auto key = node / "/etc/kubernetes/pki/apiserver.key";
    const auto der = run({"sh", "-c", "openssl pkey -in '" + key + "' -pubout -outform DER | sha256sum"});
    ASSERT_EQ(der.exit_code, 0);
    const auto fingerprint = der.out.substr(0, 64);
    EXPECT_NE(fixed.out.find("private key replaced (RSA 2048, new public key sha256:" + fingerprint + ")"),
              std::string::npos)
        << fixed.out;

    // Backups keep keys as they were (0600) in folders only root reads (0700).
    const auto backup = newest_backup(node.root.path());
    ASSERT_FALSE(backup.empty());
    EXPECT_EQ(mode_of(backup), 0700u);
    EXPECT_EQ(mode_of(backup + "/files/etc/kubernetes/pki/apiserver.key"), 0600u);
    for (auto dir = fs::path(backup + "/files/etc/kubernetes/pki/apiserver.key").parent_path();
         dir.string().size() > backup.size(); dir = dir.parent_path())
        EXPECT_EQ(mode_of(dir.string()) & 077, 0u) << dir;
}

TEST(NoKeyMaterial, AThirdPartyPluginThatEchoesAKeyIsRedactedByTheCore) {
    // testgood (a plain C plugin) puts the content of /etc/testgood/a.conf into its evidence and
    // overwrites it on fix: with a key in that file it would print the key in every format.
    TempDir root, plugins;
    copy_file(test_plugin_dir() + "/testgood.so", plugins.path() + "/testgood.so", 0755);
    CertSpec spec;
    spec.common_name = "leaky";
    spec.not_before = now_seconds() - k_day;
    spec.not_after = now_seconds() + 30 * k_day;
    const auto key = make_self_signed(spec);
    write_file(root / "/etc/testgood/a.conf", key.key_pem, 0600);
    write_file(root / "/etc/testgood/b.conf", "client-key-data: " + kubecert::util::base64_encode(key.key_pem) + "\n",
               0600);
    write_file(root / "/etc/testgood/c.conf", "ok\n");
    KeyMaterial keys;
    keys.collect(key.key_pem);
    keys.collect(read_file(root / "/etc/testgood/b.conf"));

    for (const auto& format : k_formats) {
        for (const std::vector<std::string>& command : {std::vector<std::string>{"audit"}, {"fix", "--dry-run"}}) {
            std::vector<std::string> args = {"--root",       root.path(), "--plugin-dir",
                                             plugins.path(), "--flavor",  "testgood",
                                             "--format",     format,      "-v"};
            args.insert(args.end(), command.begin(), command.end());
            const auto r = run_kubecert(args, {{"KUBECERT_PLUGIN_PATH", "\x01unset"}});
            EXPECT_NE(r.exit_code, 3) << r.err;
            EXPECT_EQ(keys.leaks_in(r.out + r.err), "") << command[0] << " --format " << format << ":\n" << r.out;
            if (format == "text" && command[0] == "fix") {
                EXPECT_NE(r.out.find("-<private key: RSA 2048, public key sha256:"), std::string::npos) << r.out;
            }
        }
    }
}
