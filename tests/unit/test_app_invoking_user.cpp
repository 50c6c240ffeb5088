// The invoking user's home: the passwd parser on bytes, and the sudo rule over a node's /etc/passwd.
#include <gtest/gtest.h>

#include <cstdlib>

#include "app/invoking_user.hpp"
#include "test_support.hpp"

namespace kubecert::app {
namespace {

constexpr const char* k_passwd = "root:x:0:0:root:/root:/bin/bash\n"
                                 "# a comment line\n"
                                 "short:x:1\n"
                                 "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
                                 "bob:x:1001:1001::/srv/bob:/usr/sbin/nologin";

TEST(InvokingUser, PasswdHomeIsTheSixthField) {
    EXPECT_EQ(passwd_home(k_passwd, "alice"), "/home/alice");
    EXPECT_EQ(passwd_home(k_passwd, "bob"), "/srv/bob") << "the last line needs no newline";
    EXPECT_EQ(passwd_home(k_passwd, "short"), std::nullopt) << "a line with too few fields";
    EXPECT_EQ(passwd_home(k_passwd, "ali"), std::nullopt) << "a prefix of a name is not the name";
    EXPECT_EQ(passwd_home("", "alice"), std::nullopt);
}

// Sets an environment variable for one test, and puts the old value back.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : m_name(name) {
        if (const char* old = std::getenv(name)) m_old = old;
        if (value)
            ::setenv(name, value, 1);
        else
            ::unsetenv(name);
    }
    ~ScopedEnv() {
        if (m_old)
            ::setenv(m_name, m_old->c_str(), 1);
        else
            ::unsetenv(m_name);
    }

private:
    const char* m_name;
    std::optional<std::string> m_old;
};

TEST(InvokingUser, SudoUserHomeComesFromTheNodesPasswd) {
    test::TempDir root;
    test::write_file(root / "/etc/passwd", k_passwd);
    host::RootFs fs(root.path());
    host::NodeView node(fs);
    ScopedEnv home("HOME", "/root");
    {
        ScopedEnv sudo("SUDO_USER", "alice");
        EXPECT_EQ(invoking_user_home(node), "/home/alice");
    }
    {
        ScopedEnv sudo("SUDO_USER", "root");
        EXPECT_EQ(invoking_user_home(node), "/root") << "sudo by root: $HOME";
    }
    {
        ScopedEnv sudo("SUDO_USER", "mallory");
        EXPECT_EQ(invoking_user_home(node), "/root") << "not in passwd: $HOME";
    }
    ScopedEnv sudo("SUDO_USER", nullptr);
    ScopedEnv relative("HOME", "relative/home");
    EXPECT_EQ(invoking_user_home(node), std::nullopt) << "a relative $HOME is no home";
}

} // namespace
} // namespace kubecert::app
