#pragma once

#include <chrono>
#include <string>

#include "util/result.hpp"
#include "x509/certificate.hpp"

namespace kubecert::net {

// Connects with TLS to "host:port" ("[v6]:port" too), no verification, SNI
// set to host, and returns the leaf certificate the peer serves. Every step
// (resolve, connect, handshake) bounded by `timeout`. Errors: unreachable
// (refused, no route), timeout, failed (handshake).
util::Result<x509::CertDetails> fetch_served_certificate(const std::string& address, std::chrono::milliseconds timeout);

} // namespace kubecert::net
