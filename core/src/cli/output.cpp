#include "cli/output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "secrets/known_secrets.hpp"

namespace kubecert::cli {

util::Status write_output(const std::string& file, const std::string& report) {
    // The one gate every report passes, whatever plugin filled it (DESIGN.md: no key material in any output).
    const std::string content = secrets::scrub_for_output(report);
    if (file.empty() || file == "-") {
        std::fwrite(content.data(), 1, content.size(), stdout);
        std::fflush(stdout);
        return util::ok_status();
    }
    std::string tmp = file + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return util::make_error(util::ErrorCode::io, file + ": cannot write report: " + std::strerror(errno));
    size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            return util::make_error(util::ErrorCode::io, file + ": cannot write report: " + std::strerror(e));
        }
        done += static_cast<size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
    if (::rename(tmp.c_str(), file.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        return util::make_error(util::ErrorCode::io, file + ": cannot write report: " + std::strerror(e));
    }
    return util::ok_status();
}

} // namespace kubecert::cli
