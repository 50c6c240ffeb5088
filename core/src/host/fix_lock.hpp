#pragma once

#include <chrono>
#include <string>

#include "util/result.hpp"

namespace kubecert::host {

// One fix at a time per root: an flock() on ROOT/run/kubecert/fix.lock (the
// kernel drops it when the holder dies, so a killed run never blocks), with
// the holder's pid and command line written into the file for the message.
class FixLock {
public:
    FixLock() = default;
    FixLock(const FixLock&) = delete;
    FixLock& operator=(const FixLock&) = delete;
    ~FixLock();

    // Waits up to `wait` for the lock; then fails naming the holder.
    util::Status acquire(const std::string& lock_path, std::chrono::milliseconds wait);
    void release();

private:
    int m_fd = -1;
};

} // namespace kubecert::host
