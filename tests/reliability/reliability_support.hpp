// SPDX-License-Identifier: MIT
// Small helpers for the reliability tests that do not use the conformance harness
// (death tests, whose child process must stay short, and the soak loop, which must
// not accumulate per-call records): a bounded synchronous call and a loopback pair.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include "support/status_assert.hpp"
#include "wskport/address.hpp"
#include "wskport/provider.hpp"
#include "wskport/socket.hpp"
#include "wskport/status.hpp"
#include "wskport/waitable_irp.hpp"

namespace wskport::test {

/// Every wait in these tests is bounded by this; never an assertion about speed.
inline constexpr std::chrono::seconds sync_bound{10};

/// The result of one call made synchronously.
struct SyncResult {
  bool completed = false;
  NTSTATUS status = status::unsuccessful;
  std::uintptr_t information = 0;
};

/// Issues @p call on @p irp and waits (bounded) for its completion.
template <class F>
SyncResult sync_call(WaitableIrp& irp, F&& call) {
  irp.arm();
  (void)call(static_cast<Irp*>(&irp));
  SyncResult r;
  r.completed = irp.wait_for(sync_bound);
  r.status = r.completed ? irp.IoStatus.Status : status::pending;
  r.information = r.completed ? irp.IoStatus.Information : 0;
  return r;
}

/// Loopback of @p family (IPv4 or IPv6), port 0.
inline Address loopback_of(AddressFamily family) {
  return family == AddressFamily::ipv6 ? Address::ipv6_loopback(0) : Address::ipv4_loopback(0);
}

/// Closes @p listener, which cancels its pending accept, and waits for that.
inline void close_listener_and_wait(const Socket& listener, WaitableIrp& accept_irp) {
  WaitableIrp irp;
  (void)sync_call(irp, [&](Irp* i) { return listener.close(i); });
  (void)accept_irp.wait_for(sync_bound);
}

/// A listener, and a connected client/server pair accepted from it. Fills the three
/// sockets; returns false (after a test failure) if a step failed.
inline bool open_pair(Provider& p, AddressFamily family, Socket& listener, Socket& client,
                      Socket& server) {
  WaitableIrp irp;
  WaitableIrp accept_irp;
  const Address at = loopback_of(family);
  auto r = sync_call(irp, [&](Irp* i) {
    return p.create_socket(family, SocketType::stream, Protocol::tcp, Category::listen, i);
  });
  if (!r.completed || r.status != status::success) {
    ADD_FAILURE() << "create listener: " << status_string(r.status);
    return false;
  }
  listener = p.socket_from(r.information);
  r = sync_call(irp, [&](Irp* i) { return listener.bind(at, i); });
  if (r.status != status::success) {
    ADD_FAILURE() << "bind listener: " << status_string(r.status);
    return false;
  }
  Address bound;
  r = sync_call(irp, [&](Irp* i) { return listener.local_address(&bound, i); });
  if (r.status != status::success) return false;
  r = sync_call(irp, [&](Irp* i) {
    return p.create_socket(family, SocketType::stream, Protocol::tcp, Category::connection, i);
  });
  if (r.status != status::success) return false;
  client = p.socket_from(r.information);
  r = sync_call(irp, [&](Irp* i) { return client.bind(at, i); });
  if (r.status != status::success) return false;
  accept_irp.arm();
  listener.accept(nullptr, nullptr, &accept_irp);
  r = sync_call(irp, [&](Irp* i) { return client.connect(bound, i); });
  if (r.status != status::success) {
    ADD_FAILURE() << "connect: " << status_string(r.status);
    close_listener_and_wait(listener, accept_irp);
    return false;
  }
  if (!accept_irp.wait_for(sync_bound) || accept_irp.IoStatus.Status != status::success) {
    ADD_FAILURE() << "accept: " << status_string(accept_irp.IoStatus.Status);
    return false;
  }
  server = p.socket_from(accept_irp.IoStatus.Information);
  return true;
}

/// Closes @p s (bounded wait); true on success.
inline bool close_socket(const Socket& s) {
  WaitableIrp irp;
  return sync_call(irp, [&](Irp* i) { return s.close(i); }).status == status::success;
}

}  // namespace wskport::test
